"""Recording acts in the audit log. Called by the services that change state, never by views."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from core.models import AuditLogEntry


def audit_record(
    *,
    actor,
    action: str,
    target=None,
    unit=None,
    before: dict | None = None,
    after: dict | None = None,
    **detail,
) -> AuditLogEntry:
    """One entry: `target` is the object acted on (a model instance, or text), `unit` the unit
    concerned (instance or id), `before`/`after` the changed fields."""
    entry = AuditLogEntry(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        unit_id=getattr(unit, "pk", unit),
        target=str(target)[:300] if target is not None else "",
        before=before or {},
        after=after or {},
        detail=detail,
    )
    if isinstance(target, Model) and target.pk is not None:
        entry.object_type = ContentType.objects.get_for_model(target)
        entry.object_id = target.pk
    entry.save()
    return entry
