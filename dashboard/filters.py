import django_filters as filters
from django import forms

from audits.glossary import Indicator, Severity
from audits.models import Finding, Period
from core.models import AuditLogEntry


class FindingFilter(filters.FilterSet):
    """The review queue's filters. Units and sites are searched by name: a province has
    thousands, which no drop-down can hold."""

    period = filters.ModelChoiceFilter(
        label="检查周期",
        queryset=Period.objects.order_by("-end"),
        to_field_name="code",
        empty_label="全部周期",
    )
    unit = filters.CharFilter(label="单位", field_name="unit__name", lookup_expr="icontains")
    website = filters.CharFilter(label="网站", field_name="website__name", lookup_expr="icontains")
    indicator = filters.ChoiceFilter(label="指标", choices=Indicator.choices, empty_label="全部")
    severity = filters.ChoiceFilter(label="性质", choices=Severity.choices, empty_label="全部")
    status = filters.ChoiceFilter(
        label="复核状态", choices=Finding.Status.choices, empty_label="全部"
    )
    source = filters.ChoiceFilter(label="来源", choices=Finding.Source.choices, empty_label="全部")

    class Meta:
        model = Finding
        fields = ("period", "unit", "website", "indicator", "severity", "status", "source")


class AuditLogFilter(filters.FilterSet):
    actor = filters.CharFilter(label="操作人", field_name="actor__username", lookup_expr="exact")
    action = filters.CharFilter(label="操作", lookup_expr="icontains")
    target = filters.CharFilter(label="对象", lookup_expr="icontains")
    object_type = filters.CharFilter(label="对象类型", field_name="object_type__model")
    object_id = filters.NumberFilter(label="对象ID")
    unit_id = filters.NumberFilter(label="单位ID")
    since = filters.DateFilter(
        label="起始日期",
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditLogEntry
        fields = ("actor", "action", "target", "object_type", "object_id", "unit_id", "since")
