"""Registry changes made by people (columns proposed by discovery); each writes its audit
record. The workbook import is newmedia.registry.uploads."""

from django.db import transaction

from core.auditlog import audit_record
from units.categories import Category
from units.models import Column, Website


@transaction.atomic
def columns_add(website: Website, choices: list[dict], *, user) -> list[Column]:
    """Add the columns staff picked from what discovery proposed (name, url, category)."""
    added = []
    for choice in choices:
        if choice["category"] not in Category.values:
            continue
        column, created = Column.objects.get_or_create(
            website=website,
            url=choice["url"],
            defaults={
                "name": choice["name"].strip()[:200],
                "category": choice["category"],
                "is_first_level": True,
            },
        )
        if created:
            added.append(column)
    if added:
        audit_record(
            actor=user,
            action="columns_add",
            unit=website.unit,
            target=website,
            after={
                "columns": [{"name": c.name, "url": c.url, "category": c.category} for c in added]
            },
            columns=[{"name": c.name, "url": c.url, "category": c.category} for c in added],
        )
    return added
