from django import forms

from audits.checks.base import Severity
from audits.models import Finding, Verdict

_SCREENSHOT_TYPES = {"image/png", "image/jpeg", "image/webp"}
_MAX_SCREENSHOT = 5 * 1024 * 1024


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
    result = forms.ChoiceField(label="认定结果", choices=Verdict.Result.choices)
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
    indicator = forms.CharField(label="指标代码", max_length=20, initial="D")
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
    period = forms.CharField(label="检查周期", max_length=20, help_text="例如 2026-11")
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
