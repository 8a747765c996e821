"""Content findings: typos are deductions; W-V1 candidates wait for a person."""

import pytest
from django.db import transaction

from audits.checks.base import Severity
from audits.checks.content import PageContent, check_content
from audits.models import DictionaryEntry, Finding, Verdict
from audits.services.review import finding_review
from audits.services.runs import inspect_run_site, run_create, run_plan
from dashboard.demo import demo_load
from sitefarm.generate import generate_county
from sitefarm.server import FarmServer
from tests.integration.conftest import POINT


def hit(kind, word, correction="", context="……"):
    return {"kind": kind, "word": word, "correction": correction, "context": context}


def test_typos_are_counted_per_word_across_pages():
    (draft,) = check_content(
        [
            PageContent("http://a/1", (hit("typo", "即然", "既然", "【即然】如此"),)),
            PageContent("http://a/2", (hit("typo", "即然", "既然"),)),
        ]
    )
    assert (draft.kind, draft.item, draft.count, draft.severity) == ("typo", "typo", 2, "deduction")
    assert draft.title == "错别字“即然”应为“既然”" and "【即然】如此" in draft.reason


def test_gambling_words_leader_titles_and_hidden_links_are_w_v1_candidates():
    drafts = check_content(
        [
            PageContent(
                "http://a/",
                (hit("gambling", "亚博"), hit("leader", "付县长李四", "副县长李四")),
                ({"text": "亚博体育", "href": "http://casino.example/", "why": "移出屏幕"},),
            )
        ]
    )
    assert {d.kind for d in drafts} == {"gambling", "leader", "hidden_link"}
    assert all(d.indicator == "W-V1" and d.severity == Severity.VETO for d in drafts)
    assert all("须人工确认" in d.reason for d in drafts)


@pytest.mark.django_db
def test_a_tampered_home_page_gives_pending_w_v1_findings_that_count_once_confirmed(
    crawl_allowed, staff
):
    DictionaryEntry.objects.create(kind="gambling", word="亚博")
    farm = generate_county(seed=5, n_sites=2, columns_per_site=4, today=POINT, faults=False)
    farm = farm.replace_site(farm.sites[0].key, tampered=True)
    with FarmServer(farm, port=0) as server:
        demo_load(farm, server.port)
        run = run_create(trigger="staff", monitoring_point=POINT)
        for website_id in run_plan(run.pk):
            inspect_run_site(run.pk, website_id)
    gambling = Finding.objects.get(kind="gambling")
    hidden = Finding.objects.get(kind="hidden_link")
    assert gambling.status == hidden.status == "pending"
    assert "亚博" in gambling.title and "casino" in hidden.reason
    assert Finding.objects.filter(kind__in=("gambling", "hidden_link")).count() == 2
    verdict = Verdict.objects.get(website=gambling.website)
    assert verdict.proposed_result != "veto" and verdict.projected_result == "veto"
    with transaction.atomic():
        finding_review(hidden, user=staff, status="confirmed", note="已核实为暗链")
    verdict.refresh_from_db()
    assert verdict.proposed_result == "veto"
