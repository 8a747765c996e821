"""Bulk inserts by PostgreSQL's COPY."""

from django.db import connection


def copy_insert(model, rows: list, *, with_ids: bool = False) -> None:
    """Insert unsaved ``rows`` of ``model`` at once, as ``bulk_create`` would.

    On PostgreSQL the rows go by COPY: ``bulk_create`` has Django build an INSERT with one
    placeholder per value and psycopg split and quote it again in Python, which cost an
    observation row 0.15 ms of CPU against 0.075 ms by COPY (bench/README.md, issue 12). COPY
    returns no ids: with ``with_ids`` they are taken from the table's sequence first, in one
    query, and set on the rows. ``pre_save`` runs for every field (``auto_now_add`` included) and
    a unique violation is Django's IntegrityError, as with ``bulk_create``; other databases use
    ``bulk_create``.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(meta.db_table), meta.pk.column, len(rows)],
            )
            for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
                row.pk = pk
            fields = [meta.pk, *fields]
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields]
                )
    for row in rows:
        row._state.adding, row._state.db = False, connection.alias
