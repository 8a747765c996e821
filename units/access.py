"""Who may see what. Every view goes through these helpers.

Office staff and the office lead see every unit; a unit operator sees only the units it is a
member of. Another unit's object answers 404, never 403, so its existence does not leak.
"""

from django.db.models import Model, QuerySet
from django.http import Http404

from units.models import Unit

# Group names are the role keys; they are created by a data migration.
OFFICE_STAFF = "office_staff"
OFFICE_LEAD = "office_lead"
ROLE_LABELS = {OFFICE_STAFF: "政务公开办工作人员", OFFICE_LEAD: "政务公开办负责人"}


def _group_names(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_govwatch_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._govwatch_groups = cached
    return cached


def is_office(user) -> bool:
    """Office staff or lead: the people who keep the registry and adjudicate."""
    return user.is_authenticated and (
        user.is_superuser or bool(_group_names(user) & {OFFICE_STAFF, OFFICE_LEAD})
    )


def is_lead(user) -> bool:
    return user.is_authenticated and (user.is_superuser or OFFICE_LEAD in _group_names(user))


def visible_units(user) -> QuerySet[Unit]:
    if is_office(user):
        return Unit.objects.all()
    if not user.is_authenticated:
        return Unit.objects.none()
    return Unit.objects.filter(memberships__user=user)


def visible_to(user, queryset: QuerySet, unit_path: str = "unit") -> QuerySet:
    """Restrict `queryset` to rows whose unit (reached through `unit_path`) the user may see."""
    if is_office(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    if queryset.model is Unit:
        return queryset.filter(memberships__user=user)
    return queryset.filter(**{f"{unit_path}__memberships__user": user}).distinct()


def get_visible_or_404(user, queryset: QuerySet, unit_path: str = "unit", **lookup) -> Model:
    try:
        return visible_to(user, queryset, unit_path).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("未找到，或您无权查看。") from None


def roles_context(request) -> dict:
    user = request.user
    return {"is_office": is_office(user), "is_lead": is_lead(user)}
