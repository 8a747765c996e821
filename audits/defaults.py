"""Rows the platform needs to work, installed after every `migrate` (and after a test flush):
the two office roles with their admin permissions, the 2019 rule sets, the beat schedule.
Each install creates what is missing and leaves what exists, so staff edits are kept."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from audits.models import DeductionItem, RuleSet
from audits.rules import NATIONAL_2019_ITEMS
from config.schedule import schedule_install_defaults
from units.access import OFFICE_LEAD, OFFICE_STAFF

_ADMIN_APPS = ("core", "units", "newmedia", "audits", "notices", "django_celery_beat")
_READ_ONLY = {("core", "auditlogentry"), ("audits", "observation")}


def roles_install() -> None:
    # Apps after this one in INSTALLED_APPS get their permissions later in post_migrate:
    # make them now so that the roles hold every app's permissions.
    for label in _ADMIN_APPS:
        create_permissions(apps.get_app_config(label), verbosity=0)
    perms = [
        p
        for p in Permission.objects.filter(content_type__app_label__in=_ADMIN_APPS).select_related(
            "content_type"
        )
        if (p.content_type.app_label, p.content_type.model) not in _READ_ONLY
        or p.codename.startswith("view_")
    ]
    for name in (OFFICE_STAFF, OFFICE_LEAD):
        group, created = Group.objects.get_or_create(name=name)
        if created or not group.permissions.exists():
            group.permissions.add(*perms)


RULE_SETS = (
    ("national-2019", "国办秘函〔2019〕19号 检查指标", {}),
    (
        "county-2019-local",
        "本县规则（国家指标 + 上期问题未整改判不合格 + 提前15天提醒 + 新媒体每周更新、报备、原创、24小时回复）",
        {
            "is_active": True,
            "unfixed_last_period_fails": True,
            "due_soon_days": 15,
            # The new-media rules the seeds' counties apply: weekly updates (seed 001), filing
            # within 5 working days and originality (seed 002), replies within 24 h (seed 003).
            "account_update_every_days": 7,
            "account_filing_working_days": 5,
            "account_original_share": 0.3,
            "reply_within_hours": 24,
        },
    ),
)


def rule_sets_install() -> None:
    if RuleSet.objects.exists():
        return  # staff own them once they exist
    for code, name, options in RULE_SETS:
        rule_set = RuleSet.objects.create(code=code, version=1, name=name, **options)
        DeductionItem.objects.bulk_create(
            DeductionItem(
                rule_set=rule_set,
                code=i.code,
                group=i.group,
                text=i.text,
                cap=i.cap,
                per_occurrence=i.per_occurrence,
                verified=i.verified,
                window_days=i.window_days,
            )
            for i in NATIONAL_2019_ITEMS
        )


def defaults_install(**kwargs) -> None:
    roles_install()
    rule_sets_install()
    schedule_install_defaults()
