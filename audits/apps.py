from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "监测与检查"

    def ready(self):
        post_migrate.connect(_install_schedule, sender=self)


def _install_schedule(sender, **kwargs):
    from config.schedule import schedule_install_defaults

    schedule_install_defaults()
