"""Model fields shared by the apps."""

from django.db import models


class BulkJSONField(models.JSONField):
    """A JSONField that ``bulk_create`` writes as VALUES rows rather than through UNNEST.

    Django 5.2 inserts several rows on PostgreSQL as ``UNNEST(%s::jsonb[], …)`` unless a field
    has ``get_placeholder``. psycopg then quotes each element of that array in Python (a regular
    expression substitution per quote character of the JSON), which cost an observation row
    0.43 ms of CPU against 0.15 ms as a VALUES row whose parameters are quoted in C
    (bench/README.md, issue 12). Only the SQL of the insert differs.
    """

    def get_placeholder(self, value, compiler, connection):
        return "%s"
