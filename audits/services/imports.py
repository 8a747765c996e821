"""Applying an uploaded vendor findings file: the import, its audit record, and the verdicts it
touches (an imported period must show something to judge)."""

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

from audits.findings_import import findings_import
from audits.models import Period
from audits.services.verdicts import verdict_refresh
from core.auditlog import audit_record
from core.imports import ImportReport
from core.models import Upload
from units.models import Website


def findings_upload_store(*, user, filename: str, data: bytes, period: Period, point) -> Upload:
    return Upload.objects.create(
        kind=Upload.Kind.FINDINGS,
        uploaded_by=user,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        options={"period": period.code, "monitoring_point": point.isoformat()},
    )


def findings_upload_run(upload: Upload, *, dry_run: bool) -> ImportReport:
    return findings_import(
        bytes(upload.data),
        upload.filename,
        period=Period.for_code(upload.options["period"]),
        monitoring_point=dt.date.fromisoformat(upload.options["monitoring_point"]),
        dry_run=dry_run,
    )


@transaction.atomic
def findings_upload_apply(upload: Upload, *, user) -> ImportReport:
    report = findings_upload_run(upload, dry_run=False)
    if not report.ok:
        return report
    upload.applied_at = timezone.now()
    upload.save(update_fields=["applied_at"])
    audit_record(
        actor=user,
        action="findings_import",
        target=upload,
        created=report.created,
        updated=report.updated,
        sha256=upload.sha256,
        **upload.options,
    )
    # The vendor monitored the county: a site its file does not name had no problem, and gets
    # its verdict too (an imported period must show every site to judge).
    period = Period.objects.get(code=upload.options["period"])
    point = dt.date.fromisoformat(upload.options["monitoring_point"])
    for website in Website.objects.filter(
        status=Website.Status.RUNNING, unit__is_active=True
    ).select_related("unit"):
        verdict_refresh(website, period, point)
    return report
