"""manage.py demo_publish [--period 2026-12] [--wait 900]

The demo's last act, done as the demo users would do it in the browser (each act is in the audit
log): wait for the period's office run, confirm its findings (vetoes one by one), adopt the
proposals, lock the period (lead), draft, approve and publish the circular (signed), and check
the published PDF as the public verification page does. Running it again changes nothing.
"""

import threading
import time

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from audits.models import Finding, InspectionRun, Period
from audits.selectors import latest_period
from audits.services import periods, review, verdicts
from notices import services
from notices.models import Circular


class Command(BaseCommand):
    help = "示范：复核、认定、锁定本期检查结果，起草并签名发布通报。"

    def add_arguments(self, parser):
        parser.add_argument("--period", help="检查周期代码（默认最近一期）")
        parser.add_argument("--wait", type=int, default=900, help="等待监测任务完成的秒数")

    def handle(self, period=None, wait=900, **options):
        if period:
            period = Period.objects.filter(code=period).first()
        else:
            run = (
                InspectionRun.objects.exclude(trigger="self_check")
                .filter(period__isnull=False)
                .order_by("-created_at")
                .first()
            )
            period = run.period if run else latest_period()
        if period is None:
            raise CommandError("没有检查周期：请先运行监测任务")
        published = Circular.objects.filter(period=period, status="published").first()
        if published:
            self._report(published)
            return
        self._wait_for_run(period, wait)
        office, lead = User.objects.get(username="office"), User.objects.get(username="lead")
        findings = Finding.objects.filter(period=period)
        routine = review.findings_review_bulk(
            findings, user=office, status=Finding.Status.CONFIRMED, note="示范：批量确认"
        )
        singles = 0
        for finding in findings.filter(status=Finding.Status.PENDING, severity="veto"):
            review.finding_review(
                finding, user=office, status="confirmed", note="示范：逐条核对证据后确认"
            )
            singles += 1
        adopted = verdicts.verdicts_adopt_clear(period, user=office)
        periods.period_lock(period, user=lead)
        circular = services.circular_draft(
            period, user=office, annex_kinds=["websites", "accounts", "units", "statistics"]
        )
        services.circular_approve(circular, user=lead)
        services.circular_publish(circular, user=lead)
        self.stdout.write(
            f"示范复核：批量确认 {routine} 条，逐条确认单项否决 {singles} 条，采纳检查结果 {adopted} 个；"
            f"{period.label}已锁定。"
        )
        self._report(circular)

    def _wait_for_run(self, period, wait: int) -> None:
        deadline = time.monotonic() + wait
        pause = threading.Event()
        while time.monotonic() < deadline:
            runs = InspectionRun.objects.filter(period=period).exclude(trigger="self_check")
            if (
                runs.filter(status="done").exists()
                and not runs.filter(status__in=("queued", "running")).exists()
            ):
                return
            pause.wait(2)
        raise CommandError(f"等待 {wait} 秒后监测任务仍未完成")

    def _report(self, circular) -> None:
        from django.conf import settings

        from notices.verification import verify_pdf

        with circular.pdf.open("rb") as f:
            result = verify_pdf(
                f.read(),
                trust_roots=list(settings.GOVWATCH_SIGNING_TRUST_ROOTS),
                is_published=services.published_by_sha256,
            )
        self.stdout.write(
            f"已发布 {circular.doc_number}《{circular.title}》：/circulars/{circular.pk}/\n"
            f"签名验证：{result.summary}"
        )
        if not result.ok:
            raise CommandError("已发布通报的签名未通过验证：" + "；".join(result.problems))
