"""The content scan's word lists and the leaders whose names and titles must be right."""

from django.db import models


class DictionaryEntry(models.Model):
    """A word the content scan looks for (or must ignore). Kept by staff in the admin."""

    class Kind(models.TextChoices):
        TYPO = "typo", "错别字"
        SENSITIVE = "sensitive", "敏感词"
        GAMBLING = "gambling", "涉赌"
        PORN = "porn", "涉黄"
        ALLOW = "allow", "白名单（不报告）"

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    word = models.CharField("词语", max_length=100)
    correction = models.CharField("正确写法", max_length=100, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "词库条目"
        verbose_name_plural = "词库"
        ordering = ("kind", "word")
        constraints = [
            models.UniqueConstraint(fields=("kind", "word"), name="dictionary_unique_kind_word")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.word}"


class Leader(models.Model):
    """A leader whose name and titles must be written correctly (领导姓名职务)."""

    name = models.CharField("姓名", max_length=50, unique=True)
    titles = models.TextField("正确职务", help_text="每行一个，例如 县委书记")
    wrong_variants = models.TextField(
        "已知错误写法", blank=True, help_text="每行一个，例如 县委付书记、错写的姓名"
    )
    is_active = models.BooleanField("在任", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "领导姓名职务"
        verbose_name_plural = "领导姓名职务"
        ordering = ("sort_order", "name")

    def __str__(self) -> str:
        return self.name
