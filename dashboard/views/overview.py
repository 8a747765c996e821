from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from audits import selectors
from audits.models import InspectionRun
from newmedia.models import Account, Platform
from units.access import is_office
from units.models import Column, Unit, Website

_CHANNEL = {"website": "政府网站", **dict(Platform.choices)}


@login_required
def home(request):
    """The office's overview: the registry's size, the latest period's pass rate per channel,
    failing units and why, columns due soon, runs in progress, and the trend."""
    if not is_office(request.user):
        return redirect("portal:home")
    period = selectors.latest_period()
    rates = selectors.channel_rates(period) if period else []
    for row in rates:
        row["label"] = _CHANNEL.get(row["channel"], row["channel"])
    trend = selectors.trend()
    context = {
        "unit_count": Unit.objects.count(),
        "website_count": Website.objects.count(),
        "column_count": Column.objects.count(),
        "account_count": Account.objects.count(),
        "period": period,
        "rates": rates,
        "failing": selectors.failing(period) if period else [],
        "due_soon": selectors.due_soon(request.user, limit=15, period=period) if period else [],
        "running": InspectionRun.objects.filter(status__in=("queued", "running")).select_related(
            "period", "unit", "website"
        )[:10],
        "runs": InspectionRun.objects.select_related("period")[:5],
        "trend": trend,
        "trend_data": {"labels": [t["label"] for t in trend], "rates": [t["rate"] for t in trend]},
    }
    return render(request, "dashboard/overview.html", context)


@login_required
def imports(request):
    if not is_office(request.user):
        return redirect("portal:home")
    return render(request, "dashboard/imports.html")
