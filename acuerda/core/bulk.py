"""Writing many new rows fast: raw ``executemany`` on SQLite, ``COPY FROM STDIN`` on PostgreSQL.

``BulkTable`` writes rows of one model given as plain tuples of database-ready values for the
columns it is told about; every other concrete column gets the field's default (or NULL), the
way ``Model.save`` would fill it, with ``auto_now``/``auto_now_add`` columns set to the moment
the writer was made. Nothing goes through Django's per-row field preparation, so values must
already be what the driver takes: ``str``/``int``/``None``, ``Decimal`` amounts (or their text),
dates as ``date`` or ISO text, datetimes from ``db_datetime``, JSON as text.

Primary keys are assigned before writing with ``reserve_ids`` so that rows pointing at them
need no round trip: on PostgreSQL from the table's own sequence (safe with concurrent writers),
on SQLite from the table's highest id, which is safe because Acuerda's SQLite transactions are
``IMMEDIATE`` (the writing transaction holds the database's write lock from its start) and
SQLite's ``AUTOINCREMENT`` bookkeeping follows explicit ids. Must run inside ``atomic()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


class BulkError(RuntimeError):
    """A model has a column the caller did not give and Django cannot fill."""


def db_datetime(value: dt.datetime) -> Any:
    """A datetime as the database driver takes it (SQLite: naive UTC text)."""
    if connection.vendor == "sqlite":
        return connection.ops.adapt_datetimefield_value(value)
    return value


class BulkTable:
    """Writes rows of ``model`` for ``columns`` (column names, ``"id"`` first when ids are given)."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], *, now: dt.datetime | None = None) -> None:
        self.model = model
        self.table = model._meta.db_table
        now_db = db_datetime(now or timezone.now())
        extra_cols: list[str] = []
        extra_vals: list[Any] = []
        known = set(columns)
        concrete = {str(f.column) for f in model._meta.concrete_fields}
        missing = known - concrete
        if missing:
            raise BulkError(f"{model.__name__} has no column(s) {', '.join(sorted(missing))}.")
        for f in model._meta.concrete_fields:
            if f.column in known or f.primary_key:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now_db
            elif f.has_default() or f.empty_strings_allowed:
                value = f.get_db_prep_save(f.get_default(), connection)  # "" for text without a default
            elif f.null:
                value = None
            else:
                raise BulkError(f"{model.__name__}.{f.name} has no default; give it to BulkTable.")
            extra_cols.append(str(f.column))
            extra_vals.append(value)
        self.columns = (*columns, *extra_cols)
        self.extra = tuple(extra_vals)
        self.rows_written = 0

    def reserve_ids(self, count: int) -> list[int]:
        """``count`` fresh primary keys for this table (see the module docstring)."""
        if count <= 0:
            return []
        quote = connection.ops.quote_name
        pk = str(self.model._meta.pk.column)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [quote(self.table), pk, count],
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(
                f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                f"coalesce((SELECT max({quote(pk)}) FROM {quote(self.table)}), 0))",
                [self.table],
            )
            first = int(cursor.fetchone()[0]) + 1
        return list(range(first, first + count))

    def write(self, rows: Iterable[tuple[Any, ...]]) -> int:
        extra = self.extra
        batch = [row + extra for row in rows] if extra else list(rows)
        if not batch:
            return 0
        quote = connection.ops.quote_name
        cols = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the driver's cursor: no per-row placeholder rewriting
            if connection.vendor == "postgresql":
                with raw.copy(f"COPY {quote(self.table)} ({cols}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(self.columns))
                raw.executemany(f"INSERT INTO {quote(self.table)} ({cols}) VALUES ({marks})", batch)  # noqa: S608
        self.rows_written += len(batch)
        return len(batch)
