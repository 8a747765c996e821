from django import forms


class RegistryUploadForm(forms.Form):
    file = forms.FileField(label="登记信息文件（.xlsx）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件（可先下载模板）。")
        return upload
