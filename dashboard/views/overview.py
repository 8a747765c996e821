from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from audits.models import InspectionRun
from audits.selectors import latest_period, verdict_summary, verdicts_for
from newmedia.models import Account
from units.access import is_office
from units.models import Column, Unit, Website


@login_required
def home(request):
    if not is_office(request.user):
        return redirect("portal:home")
    period = latest_period()
    verdicts = list(verdicts_for(request.user, period)) if period else []
    context = {
        "unit_count": Unit.objects.count(),
        "website_count": Website.objects.count(),
        "column_count": Column.objects.count(),
        "account_count": Account.objects.count(),
        "runs": InspectionRun.objects.select_related("period")[:5],
        "period": period,
        "summary": verdict_summary(verdicts) if verdicts else None,
        "to_review": sorted(
            (v for v in verdicts if v.pending_count), key=lambda v: -v.pending_count
        )[:10],
    }
    return render(request, "dashboard/overview.html", context)
