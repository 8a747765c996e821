from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def highlight_hits(text):
    """The content scan marks a hit as 【word】 in its context: show it highlighted, escaped."""
    import re

    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    return mark_safe(re.sub(r"【([^】]{1,40})】", r"<mark>\1</mark>", escape(text or "")))


@register.filter
def duration_text(value):
    """A timedelta as people say it: "30 分钟", "1 小时", "1 小时 30 分钟"."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = ([f"{hours} 小时"] if hours else []) + (
        [f"{minutes} 分钟"] if minutes or not hours else []
    )
    return " ".join(parts)
