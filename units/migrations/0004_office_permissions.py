from django.db import migrations

# Office staff keep the registry, dictionaries and schedules in the admin; the lead also.
APPS = ("units", "newmedia", "audits", "django_celery_beat")
READ_ONLY = {("audits", "auditlogentry"), ("audits", "observation")}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in ("office_staff", "office_lead"):
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label__in=APPS)
        allowed = [
            p
            for p in perms
            if (p.content_type.app_label, p.content_type.model) not in READ_ONLY
            or p.codename.startswith("view_")
        ]
        group.permissions.add(*allowed)


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0003_alter_registryupload_options_registryupload_kind_and_more"),
        ("audits", "0005_inspectionrun_check_links_observation_slot_and_more"),
        ("newmedia", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
