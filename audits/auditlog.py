"""Recording human acts in the audit log."""

from audits.models import AuditLogEntry


def audit_record(*, actor, action: str, target=None, unit=None, **detail) -> AuditLogEntry:
    return AuditLogEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        unit=unit,
        target=str(target) if target is not None else "",
        detail=detail,
    )
