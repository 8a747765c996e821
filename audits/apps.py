from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "监测与检查"

    def ready(self):
        # audits comes after units and newmedia, so every model's permissions exist by then.
        post_migrate.connect(_install_defaults, sender=self)


def _install_defaults(sender, **kwargs):
    from audits.defaults import defaults_install

    defaults_install()
