from django import forms

from audits import periods
from audits.glossary import Indicator, Result, Severity
from audits.models import Finding

_SCREENSHOT_TYPES = {"image/png", "image/jpeg", "image/webp"}
_MAX_SCREENSHOT = 5 * 1024 * 1024


class PeriodField(forms.CharField):
    """A period code: 2026-11, 2026Q4, 2026 or 2020-11-24~2021-02-22."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", "例如 2026-11、2026Q4、2026 或 2020-11-24~2021-02-22")
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return periods.parse(value).code
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class RegistryUploadForm(forms.Form):
    file = forms.FileField(label="登记信息文件（.xlsx）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件（可先下载模板）。")
        return upload


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(Finding.Status.CONFIRMED, "确认"), (Finding.Status.DISMISSED, "排除")]
    )
    note = forms.CharField(label="复核意见", required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("status") == Finding.Status.DISMISSED and not data.get("note", "").strip():
            raise forms.ValidationError("排除问题必须填写理由。")
        return data


class DecideForm(forms.Form):
    result = forms.ChoiceField(label="认定结果", choices=Result.choices)
    reason = forms.CharField(
        label="改判理由", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ManualFindingForm(forms.Form):
    title = forms.CharField(label="问题", max_length=300)
    reason = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(
        label="性质",
        choices=[
            (Severity.DEDUCTION, "扣分"),
            (Severity.VETO, "单项否决"),
            (Severity.PROBLEM, "问题"),
        ],
    )
    indicator = forms.ChoiceField(
        label="指标", choices=Indicator.choices, initial=Indicator.DEDUCTION
    )
    item = forms.CharField(label="扣分项代码", max_length=50, required=False, initial="manual")
    count = forms.IntegerField(label="数量", min_value=1, initial=1)
    url = forms.URLField(label="网址", required=False, max_length=1000, assume_scheme="https")
    screenshot = forms.ImageField(label="截图", required=False)

    def clean_screenshot(self):
        image = self.cleaned_data.get("screenshot")
        if image:
            if image.size > _MAX_SCREENSHOT:
                raise forms.ValidationError("截图不能超过 5 MB。")
            if getattr(image, "content_type", None) not in _SCREENSHOT_TYPES:
                raise forms.ValidationError("截图只接受 PNG、JPEG 或 WebP 图片。")
        return image


class FindingsUploadForm(forms.Form):
    file = forms.FileField(label="第三方监测问题清单（.xlsx 或 .csv）")
    period = PeriodField(label="检查周期")
    monitoring_point = forms.DateField(label="监测时间点", help_text="例如 2026-11-23")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError("只接受 .xlsx 或 .csv 文件。")
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("文件不能超过 5 MB。")
        return upload


class StartRunForm(forms.Form):
    scope = forms.ChoiceField(
        label="范围", choices=[("all", "全部网站"), ("unit", "单个单位"), ("site", "单个网站")]
    )
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    website = forms.IntegerField(required=False, widget=forms.HiddenInput)
    monitoring_point = forms.DateField(label="监测时间点", required=False)
    period = PeriodField(label="检查周期", required=False)
    check_links = forms.BooleanField(label="同时检查链接", required=False)


class BonusForm(forms.Form):
    points = forms.FloatField(label="加分", min_value=0, max_value=30)
    reason = forms.CharField(label="加分理由", max_length=2000)


def _annex_choices():
    from notices.annexes import KINDS

    return list(KINDS.items())


class NewCircularForm(forms.Form):
    period = forms.ChoiceField(label="检查周期")
    annexes = forms.MultipleChoiceField(
        label="附件", widget=forms.CheckboxSelectMultiple, choices=_annex_choices
    )

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.code, p.label) for p in periods]
        self.fields["annexes"].initial = ["websites", "accounts"]


class CircularForm(forms.Form):
    title = forms.CharField(label="标题", max_length=300)
    recipients = forms.CharField(label="主送机关", max_length=300)
    preamble = forms.CharField(
        label="开头", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    overall = forms.CharField(label="一、总体情况", widget=forms.Textarea(attrs={"rows": 5}))
    problems = forms.CharField(label="二、存在问题", widget=forms.Textarea(attrs={"rows": 8}))
    next_steps = forms.CharField(label="三、下一步工作", widget=forms.Textarea(attrs={"rows": 6}))
    issuer = forms.CharField(label="署名", max_length=100)
    annexes = forms.MultipleChoiceField(
        label="附件（表格始终由检查数据生成，不能手工修改）",
        widget=forms.CheckboxSelectMultiple,
        choices=_annex_choices,
    )

    def __init__(self, *args, circular, **kwargs):
        initial = {name: getattr(circular, name) for name in self.base_fields if name != "annexes"}
        initial["annexes"] = circular.annexes
        super().__init__(*args, initial=initial, **kwargs)
        if circular.is_published:
            for field in self.fields.values():
                field.disabled = True
