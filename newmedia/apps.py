from django.apps import AppConfig


class NewmediaConfig(AppConfig):
    name = "newmedia"
    verbose_name = "政务新媒体"
