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
