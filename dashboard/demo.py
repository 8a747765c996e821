"""Loading a site-farm county into the registry: the demo, the benchmarks and the tests use it."""

from django.contrib.auth.models import Group, User
from django.db import transaction

from newmedia.models import Account, Platform
from notices.models import Office
from units.access import OFFICE_LEAD, OFFICE_STAFF
from units.models import Column, Membership, Unit, Website

# Demo logins (printed by `make demo`): never used outside the demo.
DEMO_PASSWORD = "govwatch-demo"
DEMO_USERS = (
    ("office", "县政务公开办 工作人员", OFFICE_STAFF, None),
    ("lead", "县政务公开办 负责人", OFFICE_LEAD, None),
)


# The farm's opt-in parts the demo shows (the same flags are given to `python -m sitefarm`):
# site search, 办事服务, a public reply list, navigation-only home pages, new-media accounts.
DEMO_PARTS = {
    "search": True,
    "services": True,
    "interaction": True,
    "nav_home": 2,
    "accounts_per_unit": 1,
}


def site_url(host: str, port: int, path: str) -> str:
    return f"http://{host}:{port}{path}"


@transaction.atomic
def demo_load(farm, port: int) -> dict:
    """Create or update the registry of `farm` served on `port`. Idempotent."""
    websites = 0
    columns = 0
    for order, site in enumerate(farm.sites, start=1):
        unit, _ = Unit.objects.update_or_create(
            name=site.unit_name,
            defaults={
                "kind": site.unit_kind,
                "counts_in_rates": site.counts_in_rates,
                "sort_order": order,
                "contact_person": "张" + "伟芳明丽强敏静磊洋勇"[order % 10],
                "phone": f"0563-70{order:05d}",
            },
        )
        website, _ = Website.objects.update_or_create(
            home_url=site_url(site.host, port, site.home_path),
            defaults={
                "unit": unit,
                "name": site.site_name,
                "site_code": site.site_code,
                "kind": Website.Kind.PORTAL if site.is_portal else Website.Kind.DEPARTMENT,
                "search_url": site_url(site.host, port, site.search_url) if site.search_url else "",
                "services_url": (
                    site_url(site.host, port, site.services_path) if site.services_path else ""
                ),
                "messages_url": (
                    site_url(site.host, port, site.mailbox_path) if site.mailbox_path else ""
                ),
            },
        )
        websites += 1
        for column in site.columns:
            Column.objects.update_or_create(
                website=website,
                url=site_url(site.host, port, column.path),
                defaults={
                    "name": column.name,
                    "category": column.category,
                    "is_first_level": column.is_first_level,
                    "is_exempt": column.category == "topic",
                    "exempt_reason": "专题已关闭" if column.category == "topic" else "",
                },
            )
            columns += 1
        if farm.accounts is None and order % 2 == 1:
            Account.objects.update_or_create(
                unit=unit,
                platform=Platform.WECHAT,
                name=site.unit_name.removeprefix("县") + "发布",
                defaults={"account_id": f"gh_{site.key}"},
            )
    _demo_accounts(farm, port)
    _demo_users(farm)
    Office.objects.update_or_create(
        pk=Office.current().pk,
        defaults={
            "name": f"{farm.county}人民政府办公室",
            "header": f"{farm.county}人民政府办公室文件",
            "doc_prefix": "示政督字",
        },
    )
    return {
        "units": Unit.objects.count(),
        "websites": websites,
        "columns": columns,
        "accounts": Account.objects.count(),
    }


def _demo_accounts(farm, port: int) -> None:
    """The farm's accounts, each with its feed on the farm's RSSHub-style bridge."""
    if farm.accounts is None:
        return
    units = {u.name: u for u in Unit.objects.all()}
    for index in range(len(farm.accounts)):
        account = farm.accounts.account(index)
        unit = units.get(account.unit_name)
        if unit is None:
            continue
        Account.objects.update_or_create(
            unit=unit,
            platform=account.platform if account.platform in Platform.values else Platform.OTHER,
            name=account.name,
            defaults={
                "account_id": account.account_id,
                "feed_url": account.feed_url.format(port=port),
            },
        )


def _demo_users(farm) -> None:
    for username, full_name, role, _ in DEMO_USERS:
        user = _user(username, full_name)
        user.groups.set([Group.objects.get(name=role)])
        # Office users keep the registry and dictionaries in the admin as well.
        User.objects.filter(pk=user.pk).update(is_staff=True)
    # One operator per township of the first two, to show the portal.
    townships = [s for s in farm.sites if s.unit_kind == "township"][:2]
    for index, site in enumerate(townships, start=1):
        user = _user(f"unit{index}", f"{site.unit_name} 信息员")
        Membership.objects.get_or_create(user=user, unit=Unit.objects.get(name=site.unit_name))


def _user(username: str, full_name: str) -> User:
    user, created = User.objects.get_or_create(username=username)
    user.first_name = full_name
    if created:
        user.set_password(DEMO_PASSWORD)
    user.save()
    return user
