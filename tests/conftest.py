import pytest
from django.contrib.auth.models import Group, User

from units.access import OFFICE_LEAD, OFFICE_STAFF
from units.models import Column, Membership, Unit, Website


@pytest.fixture
def make_user(db):
    def make(username: str, *, role: str | None = None, units=()) -> User:
        user = User.objects.create_user(username, password="pw-" + username)
        if role:
            user.groups.add(Group.objects.get(name=role))
        for unit in units:
            Membership.objects.create(user=user, unit=unit)
        return user

    return make


@pytest.fixture
def unit_a(db) -> Unit:
    return Unit.objects.create(name="梅渚镇", kind=Unit.Kind.TOWNSHIP)


@pytest.fixture
def unit_b(db) -> Unit:
    return Unit.objects.create(name="县人社局", kind=Unit.Kind.DEPARTMENT)


@pytest.fixture
def site_a(unit_a) -> Website:
    site = Website.objects.create(
        unit=unit_a,
        name="梅渚镇人民政府",
        home_url="http://127.0.1.1:8800/",
        site_code="3418210001",
    )
    Column.objects.create(
        website=site, name="工作动态", url="http://127.0.1.1:8800/col/1/", category="news"
    )
    return site


@pytest.fixture
def site_b(unit_b) -> Website:
    return Website.objects.create(
        unit=unit_b, name="县人社局网站", home_url="http://127.0.1.2:8800/", site_code="3418210002"
    )


@pytest.fixture
def staff(make_user) -> User:
    return make_user("staff", role=OFFICE_STAFF)


@pytest.fixture
def lead(make_user) -> User:
    return make_user("lead", role=OFFICE_LEAD)


@pytest.fixture
def operator_a(make_user, unit_a) -> User:
    return make_user("op_a", units=[unit_a])


@pytest.fixture
def operator_b(make_user, unit_b) -> User:
    return make_user("op_b", units=[unit_b])


# Addresses of the site farm: tests may fetch them although they are loopback. 127.0.0.1 (where a
# test's own web server runs) stays refused, as for any user-entered internal address.
FARM_HOSTS = ["127.0.1.0/24", "127.0.2.0/24", "127.0.3.0/24"]


@pytest.fixture
def crawl_allowed(settings):
    settings.GOVWATCH_CRAWL_ALLOW_HOSTS = FARM_HOSTS
    settings.GOVWATCH_CRAWL_PER_HOST_RATE = 100.0
    return settings
