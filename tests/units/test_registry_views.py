"""Column discovery: the machine proposes from the home page, staff confirm or correct."""

import datetime as dt

import pytest

from audits.models import InspectionRun, Observation, Period
from core.models import AuditLogEntry
from units.models import Column

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposals(site_a):
    run = InspectionRun.objects.create(
        period=Period.for_code("2026-11"), monitoring_point=dt.date(2026, 11, 23), trigger="staff"
    )
    Observation.objects.create(
        run=run,
        website=site_a,
        kind="home",
        url=site_a.home_url,
        outcome="ok",
        observed_at=dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC),
        evidence={
            "proposed_columns": [
                {"name": "工作动态", "url": "http://127.0.1.1:8800/col/1/", "category": "news"},
                {"name": "通知公告", "url": "http://127.0.1.1:8800/tzgg/", "category": "notice"},
                {"name": "政策解读", "url": "http://127.0.1.1:8800/zcjd/", "category": "other"},
            ]
        },
    )


def test_staff_see_only_columns_the_registry_lacks(client, staff, site_a, proposals):
    client.force_login(staff)
    page = client.get(f"/websites/{site_a.pk}/").content.decode()
    assert "监测发现的栏目" in page
    assert (
        "http://127.0.1.1:8800/tzgg/" in page and 'value="http://127.0.1.1:8800/col/1/"' not in page
    )


def test_staff_add_a_proposal_with_a_corrected_category(client, staff, site_a, proposals):
    client.force_login(staff)
    url = "http://127.0.1.1:8800/zcjd/"
    client.post(
        f"/websites/{site_a.pk}/columns/add/",
        {"url": [url, "http://elsewhere.example/"], f"category:{url}": "interpretation"},
    )
    column = Column.objects.get(url=url)
    assert (column.name, column.category) == ("政策解读", "interpretation")
    assert not Column.objects.filter(url="http://elsewhere.example/").exists()
    assert AuditLogEntry.objects.get(action="columns_add").detail["columns"][0]["url"] == url


def test_operators_do_not_see_proposals(client, operator_a, site_a, proposals):
    client.force_login(operator_a)
    assert "监测发现的栏目" not in client.get(f"/websites/{site_a.pk}/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/",
    ],
)
def test_an_internal_address_is_refused_when_entered(url, unit_a):
    from django.core.exceptions import ValidationError

    from units.models import Website

    site = Website(unit=unit_a, name="内网", home_url=url)
    with pytest.raises(ValidationError) as error:
        site.full_clean()
    assert "不能作为监测对象" in str(error.value)


def test_the_farm_range_is_allowed_when_configured(unit_a, crawl_allowed):
    from units.models import Website

    Website(unit=unit_a, name="模拟站点", home_url="http://127.0.1.9:8800/").full_clean()
