"""Registry workbooks uploaded by staff: kept until confirmed, applied all or nothing, logged."""

import hashlib

from django.db import transaction
from django.utils import timezone

from core.auditlog import audit_record
from core.imports import ImportReport
from core.models import Upload
from newmedia.registry.importer import import_registry


def registry_upload_store(*, user, filename: str, data: bytes) -> Upload:
    return Upload.objects.create(
        kind=Upload.Kind.REGISTRY,
        uploaded_by=user,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )


@transaction.atomic
def registry_upload_apply(upload: Upload, *, user) -> ImportReport:
    report = import_registry(bytes(upload.data), dry_run=False)
    if not report.ok:
        return report
    upload.applied_at = timezone.now()
    upload.save(update_fields=["applied_at"])
    audit_record(
        actor=user,
        action="registry_import",
        target=upload,
        sha256=upload.sha256,
        counts=report.plain_counts(),
    )
    return report
