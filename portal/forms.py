from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); each is checked by content
    later, in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [f] if (f := super().clean(data, initial)) else []


class RectificationForm(forms.Form):
    note = forms.CharField(
        label="整改情况",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="写明做了什么、何时完成，例如“已于11月25日更新该栏目3条信息”",
    )
    files = MultipleFileField(
        label="证据（截图、PDF 或 Office 文档，最多5个）",
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": ".png,.jpg,.jpeg,.webp,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"}
        ),
    )


class PostForm(forms.Form):
    published_at = forms.DateTimeField(
        label="发布时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    title = forms.CharField(label="标题", max_length=500)
    url = forms.URLField(label="网址", required=False, max_length=1000, assume_scheme="https")
    original = forms.BooleanField(label="原创", required=False, initial=True)
    screenshot = forms.FileField(label="截图（PNG、JPEG 或 WebP）", required=False)
