"""Writing many new rows fast: raw ``executemany`` on SQLite, ``COPY FROM STDIN`` on PostgreSQL.

``BulkTable`` writes rows of one model given as plain tuples of database-ready values for the
columns it is told about; every other concrete column gets the field's default (or NULL), the
way ``Model.save`` would fill it, with ``auto_now``/``auto_now_add`` columns set to the moment
the writer was made. Nothing goes through Django's per-row field preparation, so values must
already be what the driver takes: ``str``/``int``/``None``, ``Decimal`` amounts (or their text),
dates as ``date`` or ISO text, datetimes from ``db_datetime``, JSON as text.

On PostgreSQL rows can also be given as lines of COPY's text format (``write_lines``, values
made with ``copy_text``): a producer in another process can then send one string per row
instead of a tuple of values to unpickle and format again.

Primary keys are assigned before writing with ``reserve_ids`` so that rows pointing at them
need no round trip: on PostgreSQL from the table's own sequence (safe with concurrent writers),
on SQLite from the table's highest id, which is safe because Acuerda's SQLite transactions are
``IMMEDIATE`` (the writing transaction holds the database's write lock from its start) and
SQLite's ``AUTOINCREMENT`` bookkeeping follows explicit ids. Must run inside ``atomic()``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone


class BulkError(RuntimeError):
    """A model has a column the caller did not give and Django cannot fill."""


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """``value`` as one field of a line in PostgreSQL's COPY text format: ``\\N`` for NULL,
    backslash, tab, newline and carriage return escaped. Takes what ``BulkTable`` rows hold
    (``str``, ``int``, ``bool``, ``Decimal``, ``date``, aware ``datetime``, ``None``)."""
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(value) else value
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise BulkError("COPY text needs aware datetimes.")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    raise BulkError(f"No COPY text for a {type(value).__name__}.")


def copy_fields(values: Sequence[Any]) -> str:
    """Values as tab-separated fields of a COPY text line (no line end)."""
    strings = [value for value in values if type(value) is str]
    if _COPY_SPECIAL.search("\x00".join(strings)) is not None:
        return "\t".join(map(copy_text, values))  # some text to escape
    if len(strings) == len(values):
        return "\t".join(strings)  # the common case, plain text: one search
    # Text with nothing to escape, and values whose text never needs escaping (NULL, numbers,
    # booleans, dates): only those go through copy_text.
    return "\t".join([value if type(value) is str else copy_text(value) for value in values])


def db_datetime(value: dt.datetime) -> Any:
    """A datetime as the database driver takes it (SQLite: naive UTC text)."""
    if connection.vendor == "sqlite":
        return connection.ops.adapt_datetimefield_value(value)
    return value


class BulkTable:
    """Writes rows of ``model`` for ``columns`` (column names, ``"id"`` first when ids are given);
    ``extra`` holds the values of the model's other columns, in ``self.columns``' order."""

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
        self._sequence: str | None = None  # PostgreSQL: the primary key's sequence, once looked up

    @property
    def extra_text(self) -> str:
        """PostgreSQL: ``extra`` as the end of a COPY text line (empty, or a tab and the fields)."""
        return "".join("\t" + copy_text(value) for value in self.extra)

    def reserve_ids(self, count: int) -> list[int]:
        """``count`` fresh primary keys for this table (see the module docstring)."""
        if count <= 0:
            return []
        quote = connection.ops.quote_name
        pk = str(self.model._meta.pk.column)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                if self._sequence is None:
                    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quote(self.table), pk])
                    self._sequence = cursor.fetchone()[0]
                # The sequence looked up once, not once per value; one array rather than
                # ``count`` rows to decode. A quarter of the time for 10,000 ids.
                cursor.execute("SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
                               [self._sequence, count])
                return list(cursor.fetchone()[0])
            cursor.execute(
                f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                f"coalesce((SELECT max({quote(pk)}) FROM {quote(self.table)}), 0))",
                [self.table],
            )
            first = int(cursor.fetchone()[0]) + 1
        return list(range(first, first + count))

    def write(self, rows: Iterable[tuple[Any, ...]], *, filled: bool = False) -> int:
        """Write ``rows`` (values for ``columns`` as given to the constructor); ``filled``: they
        end with ``extra`` already, the other columns' values (a producer that makes many rows
        adds them where it builds each row, which saves a copy of every row here)."""
        extra = self.extra
        batch = [row + extra for row in rows] if extra and not filled else list(rows)
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


    def write_lines(self, lines: Iterable[str]) -> int:
        """PostgreSQL only: write rows given as lines of COPY's text format, each ending in a
        newline, with the fields of every column in ``columns`` (``extra`` included: see
        ``extra_text``)."""
        if connection.vendor != "postgresql":
            raise BulkError("COPY text lines are for PostgreSQL.")
        batch = list(lines)
        if not batch:
            return 0
        quote = connection.ops.quote_name
        cols = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {quote(self.table)} ({cols}) FROM STDIN") as copy:
            copy.write("".join(batch))
        self.rows_written += len(batch)
        return len(batch)


@contextlib.contextmanager
def indexes_rebuilt_after(
    tables: Sequence[type[models.Model]], *, keep: Collection[str] = ()
) -> Iterator[dict[str, float]]:
    """Drop the plain indexes of ``tables`` (but those named in ``keep``) for the block and build
    them again at its end: one sort per index instead of millions of random B-tree insertions.
    Unique indexes and those behind primary-key and unique constraints stay: they are the ones
    that check, and lookups by them stay fast. Must run inside ``atomic()``; everything is
    rolled back with the block.

    On PostgreSQL the foreign keys of those tables go too and are added back afterwards, which
    checks every row in one join instead of queueing millions of deferred trigger events (that
    queue also forbids CREATE INDEX until commit). SQLite checks deferred keys with a counter.

    Dropping an index takes an exclusive lock on its table until commit: readers of these tables
    wait for the block. Worth it for loads that dominate the tables (the demo, a first
    placement), not for a small file into a large installation. The yielded dict receives
    ``"seconds"``: the time spent building the indexes and keys again.
    """
    names = [m._meta.db_table for m in tables]
    quote = connection.ops.quote_name
    foreign_keys: list[tuple[str, str, str]] = []
    timing: dict[str, float] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(names))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
                f"AND sql NOT LIKE 'CREATE UNIQUE%%' AND tbl_name IN ({marks}) ORDER BY name",
                names,
            )
            indexes = cursor.fetchall()
        else:
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.oid = ANY(%s::regclass[]) AND NOT x.indisunique "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
                "ORDER BY i.relname",
                [names],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid::regclass::text, conname",
                [names],
            )
            foreign_keys = cursor.fetchall()
            # ALTER TABLE refuses tables with checks still queued: run the ones queued so far now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table, name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        indexes = [(name, sql) for name, sql in indexes if name not in keep]
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    yield timing
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, sql in indexes:
            cursor.execute(sql)
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
    timing["seconds"] = time.perf_counter() - started
