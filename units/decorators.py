from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from units.access import is_lead, is_office


def office_required(view):
    """Office staff or lead only; a unit operator gets 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_office(request.user):
            raise PermissionDenied("仅政务公开办工作人员可以使用此功能。")
        return view(request, *args, **kwargs)

    return wrapper


def lead_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_lead(request.user):
            raise PermissionDenied("仅政务公开办负责人可以使用此功能。")
        return view(request, *args, **kwargs)

    return wrapper
