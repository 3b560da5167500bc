"""Placing a creditor's file into a portfolio: the import engine.

Rows are streamed in chunks of ``CHUNK_ROWS`` with one bulk lookup per chunk for debtors and
accounts; every row is parsed and checked (national ids, phones, emails, amounts, dates,
duplicates inside the file, conflicts with stored data such as a reference held by another
debtor or a closed account).

* A **dry run** only checks: problems are committed as ``ImportRowError`` rows chunk by chunk,
  the would-be counts computed, and the job ends ``validated`` (or ``failed`` under the
  ``reject_file`` policy when a row is bad).
* A **real import** checks and writes in the same single pass, all of it in ONE database
  transaction which also stores the problems and sets the job to ``done``. The job moves to
  ``importing`` (committed) before the transaction begins, so a crash or ``kill -9`` rolls every
  row back and leaves the job visibly ``importing``; running it again starts over and completes
  it. Under the ``reject_file`` policy the first bad row rolls the transaction back and a
  checking pass (as a dry run) then reports every bad row: nothing is imported.

Speed (issue 3: a million rows in minutes; docs/adr/0006). Files of ``PARALLEL_MIN_BYTES`` or
more are parsed by ``PARSE_WORKERS`` forked processes, batch by batch with a bounded read-ahead,
the results coming back in file order while the main process checks and writes. The workers
hand back write-ready rows (``Prepared``, on PostgreSQL as COPY text fields): the main process
only reserves ids, looks stored debtors and accounts up and de-duplicates. New debtors, contact
points, accounts, their placement entries, ``placed`` and ``party_added`` events are written with
``acuerda.core.bulk.BulkTable`` (``executemany`` on SQLite, ``COPY`` on PostgreSQL, primary keys
reserved first so rows pointing at them need no round trip) with exactly the values
``debts.services.account_open`` would write one by one. On PostgreSQL the tables looked up are
ANALYZEd inside the import's transaction as it grows (``_refresh_statistics``). A file at least as large as what the
portfolio tables already hold loads with their plain indexes dropped and rebuilt at the end
(``_large_load``).
Accounts already in the portfolio (an update file) get an ``adjustment`` through
``debts.services.ledger_post`` for the difference, which writes its own event; unchanged ones are
left alone. A balance cell left empty (or a component the profile does not map) keeps the
account's current balance; ``-`` or ``0`` sets it to zero. Re-importing the same content into the same portfolio creates nothing: the job
table's unique (portfolio, sha256) constraint hands back the earlier job.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import gc
import hashlib
import json
import logging
import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from acuerda.core.bulk import BulkTable, copy_fields, copy_text, db_datetime, indexes_rebuilt_after
from acuerda.core.regions import parse_jurisdiction, validate_country
from acuerda.creditors.models import Creditor
from acuerda.debtors.choices import ContactKind, ContactSource, DebtorKind, PartyRole
from acuerda.debtors.identifiers import (
    SUPPORTED_ID_TYPES,
    InvalidIdentifier,
    is_company_id,
    normalize_national_id,
)
from acuerda.debtors.models import ContactPoint, Debtor
from acuerda.debtors.phones import InvalidEmail, InvalidPhone, normalize_email, parse_phone
from acuerda.debtors.services import SOURCE_RANK
from acuerda.debts.choices import AccountPartyRole, AccountStatus, EntryKind, EventKind, Product
from acuerda.debts.models import Account, AccountEvent, AccountParty, LedgerEntry
from acuerda.debts.services import ledger_post
from acuerda.imports.choices import (
    IMPORT_TRANSITIONS,
    REQUIRED_FIELDS,
    BadRowPolicy,
    Field,
    ImportStatus,
)
from acuerda.imports.models import ImportJob, ImportProfile, ImportRowError
from acuerda.imports.readers import (
    AmountError,
    DateError,
    RowValue,
    UnreadableFile,
    open_rows,
    parse_amount,
    parse_date,
)
from acuerda.people.models import User
from acuerda.portfolios.models import Portfolio

logger = logging.getLogger(__name__)

CHUNK_ROWS = 10_000
PARSE_WORKERS = 2  # processes parsing a large file's rows in the validating pass
PARSE_BATCH = 2_000
READ_AHEAD = 4  # batches in flight per worker: enough to keep the workers busy while the main process writes a chunk
PARALLEL_MIN_BYTES = 8 << 20  # about 40,000 rows; smaller files are parsed in the process itself
REFERENCE_MAX = 64  # Account.creditor_reference
LARGE_IMPORT_ROWS = 50_000  # from here, and as large as the stored portfolios, indexes are rebuilt after the load
XLSX_BYTES_PER_ROW = 60  # a compressed sheet's size per row, roughly, for the progress estimate
BULK_MODELS = (Debtor, ContactPoint, Account, LedgerEntry, AccountEvent, AccountParty)
LOOKUP_INDEXES = frozenset({"debtor_id_number_idx"})  # the import's own lookups need it during the load
_IN_BATCH = 900  # SQLite allows 999 parameters per statement
_IN_BATCH_POSTGRESQL = 10_000  # a chunk's lookups in one statement (PostgreSQL allows 65,535 parameters)
GC_THRESHOLD = 100_000  # allocations between two young-generation collections during a pass (default 700)
ANALYZE_FROM_ROWS = 20_000  # PostgreSQL: rows a pass writes before the looked-up tables' statistics are refreshed
# (then again each time they have grown fourfold: the first statistics matter, later ones refine)
LOOKED_UP_MODELS = (Debtor, ContactPoint, Account, AccountParty)  # the tables the import reads while it writes
_CLOSED = frozenset({AccountStatus.CLOSED, AccountStatus.RECALLED})
UPDATE_MEMO = gettext_noop("Balance update from the creditor's file")

T = TypeVar("T")
DebtorKey = tuple[str, str, str]  # country, id type, canonical number
ProgressCallback = Callable[[int, int], None]  # (rows read, rows expected)


class ImportJobError(ValueError):
    """The job cannot run now (finished already, or another run holds it)."""


# --------------------------------------------------------------------------------------------
# Parsed rows
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Problem:
    row_number: int
    column: str
    value: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


class Contact(NamedTuple):
    """A tuple, so that parsed rows cross from the parse workers as plain tuples and are used as
    they arrive (the main process writes; it must not spend time rebuilding objects)."""

    kind: str
    value: str
    country: str
    line_type: str = ""
    timezones: tuple[str, ...] = ()
    address_line: str = ""
    postal_code: str = ""
    city: str = ""
    region: str = ""


@dataclass(slots=True)
class Party:
    key: DebtorKey
    kind: str
    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    birth_date: dt.date | None = None
    contacts: list[Contact] = field(default_factory=list)


@dataclass(slots=True)
class Row:
    number: int
    reference: str
    product: str
    principal: Decimal
    interest: Decimal
    fees: Decimal
    due_on: dt.date | None
    holder: Party
    parties: list[tuple[str, Party]]
    given: frozenset[str] = frozenset()
    """The balance components the row states; an empty cell leaves an existing balance as it is."""


def _text(value: RowValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.strip()


_PARTY_FIELDS = {
    "co_debtor": {
        "id_type": Field.CO_DEBTOR_ID_TYPE, "id_number": Field.CO_DEBTOR_ID_NUMBER,
        "first_name": Field.CO_DEBTOR_FIRST_NAME, "last_name": Field.CO_DEBTOR_LAST_NAME,
        "company_name": Field.CO_DEBTOR_COMPANY_NAME, "phone": Field.CO_DEBTOR_PHONE, "email": Field.CO_DEBTOR_EMAIL,
    },
    "guarantor": {
        "id_type": Field.GUARANTOR_ID_TYPE, "id_number": Field.GUARANTOR_ID_NUMBER,
        "first_name": Field.GUARANTOR_FIRST_NAME, "last_name": Field.GUARANTOR_LAST_NAME,
        "company_name": Field.GUARANTOR_COMPANY_NAME, "phone": Field.GUARANTOR_PHONE, "email": Field.GUARANTOR_EMAIL,
    },
}  # fmt: skip


class RowParser:
    """Turns one source row into a ``Row`` or the list of its problems, with the profile's rules."""

    def __init__(self, profile: ImportProfile, portfolio: Portfolio) -> None:
        self.profile = profile
        self.currency = portfolio.currency
        self.country = profile.default_country
        self.formats = list(profile.date_formats)
        self._by_header: dict[tuple[str, ...], dict[str, list[str]]] = {}
        self._targets = {column.casefold(): target for column, target in profile.column_map.items()}
        self._products: dict[str, str] = {}

    def columns_for(self, header: Iterable[str]) -> dict[str, list[str]]:
        """field → the row's columns that feed it, in file order."""
        key = tuple(header)
        found = self._by_header.get(key)
        if found is None:
            found = {}
            for column in key:
                target = self._targets.get(column.casefold())
                if target and target != Field.IGNORE:
                    found.setdefault(target, []).append(column)
            self._by_header[key] = found
        return found

    def missing_columns(self, header: Iterable[str]) -> list[str]:
        present = self.columns_for(header)
        by_field = {target: column for column, target in self.profile.column_map.items()}
        return [by_field[target] for target in REQUIRED_FIELDS if target in by_field and target not in present]

    def parse(self, number: int, raw: dict[str, RowValue]) -> Row | list[Problem]:
        columns = self.columns_for(raw)
        problems: list[Problem] = []
        given: set[str] = set()

        def cell(name: str) -> tuple[str, str]:
            sources = columns.get(name, [])
            for column in sources:
                text = _text(raw.get(column))
                if text:
                    return column, text
            return (sources[0] if sources else name), ""

        def cells(name: str) -> list[tuple[str, RowValue]]:
            return [(c, raw[c]) for c in columns.get(name, []) if _text(raw.get(c))]

        def problem(column: str, value: str, code: str, **params: Any) -> None:
            problems.append(Problem(number, column, value[:1000], code, params))

        def amount(name: str, required: bool) -> Decimal:
            column, _value = cell(name)
            value = raw.get(column, "")
            try:
                parsed = parse_amount(value, decimal=self.profile.decimal_separator,
                                      thousands=self.profile.thousands_separator)
            except AmountError as exc:
                problem(column, _text(value), exc.code, decimal=self.profile.decimal_separator,
                        thousands=self.profile.thousands_separator)
                return Decimal("0.00")
            if parsed is None:
                if required:
                    problem(column, "", "required")
                return Decimal("0.00")
            given.add(name)
            return parsed

        def date(name: str) -> dt.date | None:
            column, _value = cell(name)
            value = raw.get(column, "")
            try:
                return parse_date(value, formats=self.formats)
            except DateError as exc:
                problem(column, _text(value), exc.code, formats=", ".join(self.formats),
                        dates=", ".join(d.isoformat() for d in exc.dates))
                return None

        column, reference = cell(Field.REFERENCE)
        if not reference:
            problem(column, "", "required")
        elif len(reference) > REFERENCE_MAX:
            problem(column, reference, "too_long", max=REFERENCE_MAX)
        country_column, country = cell(Field.ID_COUNTRY)
        country = country.upper() or self.country
        try:
            validate_country(country)
        except ValueError:
            problem(country_column, country, "invalid_country")
            country = self.country
        holder = self._party(
            problems, number, cell, cells, country=country,
            fields={"id_type": Field.ID_TYPE, "id_number": Field.ID_NUMBER, "first_name": Field.FIRST_NAME,
                    "last_name": Field.LAST_NAME, "company_name": Field.COMPANY_NAME, "phone": Field.PHONE,
                    "email": Field.EMAIL},
            required=True,
        )
        birth_date = date(Field.BIRTH_DATE)
        principal = amount(Field.PRINCIPAL, required=True)
        interest = amount(Field.INTEREST, required=False)
        fees = amount(Field.FEES, required=False)
        due_on = date(Field.DUE_DATE)
        product_column, product_text = cell(Field.PRODUCT)
        product = self.profile.default_product
        if product_text:
            known = self._products.get(product_text)
            if known is None:  # a file repeats a handful of product names: look each up once
                known = self._products[product_text] = _product(product_text) or ""
            product = known
            if not product:
                problem(product_column, product_text, "invalid_product", expected=", ".join(Product.values))
        currency_column, currency = cell(Field.CURRENCY)
        if currency and currency.upper() != self.currency:
            problem(currency_column, currency, "currency_mismatch", expected=self.currency)
        address = self._address(problems, number, cell, country)
        parties: list[tuple[str, Party]] = []
        for role, fields in _PARTY_FIELDS.items():
            party = self._party(problems, number, cell, cells, country=country, fields=fields, required=False)
            if party is None:
                continue
            if holder is not None and party.key == holder.key:
                column, value = cell(fields["id_number"])
                problem(column, value, "party_is_holder")
                continue
            parties.append((role, party))
        if problems or holder is None:
            return problems
        holder.birth_date = birth_date
        if address is not None:
            holder.contacts.append(address)
        return Row(number, reference, product, principal, interest, fees, due_on, holder, parties, frozenset(given))

    def _party(
        self, problems: list[Problem], number: int, cell: Any, cells: Any, *, country: str,
        fields: Mapping[str, str], required: bool,
    ) -> Party | None:
        id_column, id_number = cell(fields["id_number"])
        names = {name: cell(fields[name])[1] for name in ("first_name", "last_name", "company_name")}
        phones = cells(fields["phone"])
        emails = cells(fields["email"])
        if not required and not id_number and not any(names.values()) and not phones and not emails:
            return None
        before = len(problems)
        type_column, id_type = cell(fields["id_type"])
        id_type = id_type.upper() or self.profile.default_id_type
        expected = SUPPORTED_ID_TYPES.get(country, ())
        number_ok = False
        if not id_number:
            problems.append(Problem(number, id_column, "", "required"))
        elif id_type not in expected:
            problems.append(Problem(number, type_column, id_type, "invalid_id_type", {
                "country": country, "expected": ", ".join(expected) or "-"}))
        else:
            try:
                id_number = normalize_national_id(country=country, id_type=id_type, number=id_number)
                number_ok = True
            except InvalidIdentifier as exc:
                problems.append(Problem(number, id_column, id_number, "invalid_id", {
                    "id_type": id_type, "country": country, "detail": exc.code}))
        kind = DebtorKind.PERSON
        if number_ok:
            company = is_company_id(country=country, id_type=id_type, number=id_number, canonical=True)
            kind = DebtorKind.COMPANY if company else DebtorKind.PERSON
            if (kind == DebtorKind.COMPANY and not names["company_name"]) or (
                kind == DebtorKind.PERSON and not (names["first_name"] or names["last_name"])
            ):
                name_field = fields["company_name"] if kind == DebtorKind.COMPANY else fields["last_name"]
                problems.append(Problem(number, cell(name_field)[0], "", "name_required"))
        contacts: list[Contact] = []
        for column, value in phones:
            text = _text(value)
            try:
                info = parse_phone(text, default_region=country)
            except InvalidPhone as exc:
                problems.append(Problem(number, column, text, "invalid_phone", {"region": country, "detail": exc.code}))
                continue
            contacts.append(Contact(ContactKind.PHONE, info.e164, info.region, info.line_type, info.timezones))
        for column, value in emails:
            text = _text(value)
            try:
                contacts.append(Contact(ContactKind.EMAIL, normalize_email(text), country))
            except InvalidEmail:
                problems.append(Problem(number, column, text, "invalid_email"))
        if len(problems) > before:
            return None
        return Party(
            key=(country, id_type, id_number), kind=kind, first_name=names["first_name"],
            last_name=names["last_name"], company_name=names["company_name"], contacts=contacts,
        )

    def _address(self, problems: list[Problem], number: int, cell: Any, country: str) -> Contact | None:
        line_column, line = cell(Field.ADDRESS_LINE)
        _postal_column, postal = cell(Field.POSTAL_CODE)
        city_column, city = cell(Field.CITY)
        region_column, region = cell(Field.REGION)
        if not (line or postal or city or region):
            return None
        if not line or not city:
            problems.append(Problem(number, line_column if not line else city_column, "", "incomplete_address"))
            return None
        region = region.upper().removeprefix(f"{country}-")
        if region:
            try:
                parse_jurisdiction(f"{country}-{region}")
            except ValueError:
                problems.append(Problem(number, region_column, region, "invalid_region", {"country": country}))
                return None
        value = ", ".join(p for p in (line, postal, city, country) if p)
        return Contact(ContactKind.ADDRESS, value[:255], country, address_line=line[:255], postal_code=postal[:16],
                       city=city[:100], region=region)


def _product(text: str) -> str | None:
    wanted = text.strip().casefold()
    for value, label in Product.choices:
        if wanted in (value.casefold(), str(label).casefold()):
            return value
    return None


# --------------------------------------------------------------------------------------------
# The two passes
# --------------------------------------------------------------------------------------------


def _batches(values: Sequence[T], size: int = _IN_BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@functools.lru_cache(maxsize=1024)
def _zones_json(zones: tuple[str, ...]) -> str:
    return json.dumps(list(zones))


def _select_in(select: str, column: str, values: Sequence[Any], params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
    """The rows of ``select`` (which ends in ``WHERE`` or ``AND``) whose ``column`` is one of
    ``values``: raw SQL in batches, because the ORM prepares every value of an ``__in`` list
    one by one and a chunk looks up tens of thousands of them."""
    with connection.cursor() as cursor:
        size = _IN_BATCH_POSTGRESQL if connection.vendor == "postgresql" else _IN_BATCH
        for batch in _batches(values, size):
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(f"{select} {column} IN ({marks})", [*params, *batch])
            yield from cursor.fetchall()


def _debtor_ids(keys: Iterable[DebtorKey]) -> dict[DebtorKey, int]:
    wanted = set(keys)
    found: dict[DebtorKey, int] = {}
    numbers = sorted({k[2] for k in wanted})
    table = connection.ops.quote_name(Debtor._meta.db_table)
    for pk, country, id_type, id_number in _select_in(
        f"SELECT id, country, id_type, id_number FROM {table} WHERE", "id_number", numbers  # noqa: S608
    ):
        if (country, id_type, id_number) in wanted:
            found[(country, id_type, id_number)] = pk
    return found


def _refresh_statistics() -> None:
    """PostgreSQL: ANALYZE the tables the import looks rows up in, inside its transaction.

    The planner knows nothing of the rows this transaction wrote; a large file soon makes up
    most of those tables, and with no statistics an ``IN`` list of hundreds of values (or
    ``portfolio_id = %s`` for a new portfolio) is estimated to match the whole table, so every
    lookup became a sequential or bitmap scan of everything written so far: quadratic, the
    reason PostgreSQL was twice as slow as SQLite on a million rows. ANALYZE in a transaction
    samples its own uncommitted rows; the statistics it writes are seen by this transaction
    only until the commit (and go with a rollback, but for ``pg_class``' row and page counts,
    updated in place). Called at 20,000 rows and each fourfold growth: a few
    tenths of a second each, a handful of times per file. It holds a SHARE UPDATE EXCLUSIVE
    lock until the commit (another ANALYZE or VACUUM of these tables waits; reads and writes
    do not). SQLite plans these lookups by their indexes without statistics."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in LOOKED_UP_MODELS:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class Prepared(NamedTuple):
    """A good row in the shape the writers take, made where it was parsed (a parse worker):
    the main process, the bottleneck of a large import, only adds the ids it reserves and the
    lookups' answers. Amounts are database-ready text (``str`` of the quantized ``Decimal``,
    exactly what the drivers write for one).

    The columns of a table (see ``write_tables``) from the first one the main process does not
    fill in, to the table's ``BulkTable.extra``: a tuple of values, or on PostgreSQL one string,
    those fields of a COPY text line (``copy_fields``), so that a row crosses from the worker as
    a few strings and is written without formatting its values again."""

    number: int
    reference: str
    holder: DebtorKey
    people: tuple[tuple[DebtorKey, Any, tuple[tuple[Any, ...], ...]], ...]
    """The holder first, then the other parties: (key, the debtor's columns from ``kind``, its
    contact points: (kind, value, then their columns from ``kind``, or the line's fields))."""
    parties: tuple[tuple[str, DebtorKey], ...]
    """(role, key) of the co-debtors and guarantors."""
    account: Any
    """A new account's columns from ``creditor_reference``."""
    entry: Any
    """Its placement entry's columns from ``kind``."""
    event_data: str
    """The ``placed`` event's JSON after its first member (``entry_id``, known once reserved);
    escaped as a COPY field on PostgreSQL."""
    amounts: tuple[str, str, str]
    given: tuple[str, ...]
    zero: bool
    """All three amounts are zero."""

    def changes(self, current: Mapping[str, Any]) -> dict[str, Decimal]:
        """What to add to ``current`` balances to reach the ones this row states (a component
        the row leaves empty does not change)."""
        return {c: (Decimal(v) - current[c] if c in self.given else Decimal("0.00"))
                for c, v in zip(_AMOUNTS, self.amounts, strict=True)}


_AMOUNTS = ("principal", "interest", "fees")


def write_tables(now: dt.datetime) -> dict[str, BulkTable]:
    """The raw writers of an import's new rows; their columns are in the order ``RowPreparer``
    makes them, the ids first."""
    return {
        "debtor": BulkTable(Debtor, ("id", "kind", "country", "id_type", "id_number", "first_name", "last_name",
                                     "company_name", "birth_date"), now=now),
        "contact": BulkTable(ContactPoint, ("debtor_id", "kind", "value", "phone_line_type", "timezones",
                                            "address_line", "postal_code", "city", "region", "country", "source",
                                            "owner_role"), now=now),
        "account": BulkTable(Account, ("id", "portfolio_id", "debtor_id", "status_changed_at", "creditor_reference",
                                       "product", "currency", "original_principal", "original_interest",
                                       "original_fees", "principal", "interest", "fees", "first_unpaid_due_on",
                                       "status"), now=now),
        "entry": BulkTable(LedgerEntry, ("id", "account_id", "kind", "effective_on", "posted_at", "actor_id",
                                         "principal", "interest", "fees"), now=now),
        "event": BulkTable(AccountEvent, ("account_id", "data", "kind", "at", "actor_id", "to_status"), now=now),
        "party": BulkTable(AccountParty, ("account_id", "debtor_id", "role"), now=now),
    }


class RowPreparer:
    """Turns a parsed ``Row`` into a ``Prepared`` one for a pass's portfolio, job, moment and
    writers (``write_tables``)."""

    def __init__(self, *, portfolio: Portfolio, job_id: int, actor_id: int | None, now: dt.datetime,
                 tables: Mapping[str, BulkTable], copy_lines: bool) -> None:
        self.copy_lines = copy_lines
        self.debtor_extra = tables["debtor"].extra
        self.contact_extra = tables["contact"].extra
        self.account_extra = tables["account"].extra
        self.entry_extra = tables["entry"].extra
        if copy_lines:
            self.debtor_text = tables["debtor"].extra_text
            self.contact_text = tables["contact"].extra_text
            self.account_text = tables["account"].extra_text
            self.entry_text = tables["entry"].extra_text
        self.currency = portfolio.currency
        self.placed_on = portfolio.placed_on.isoformat()
        self.job_id = job_id
        self.actor_id = actor_id
        self.now_db = db_datetime(now)
        self.source = ContactSource.CREDITOR.value
        self.owner = PartyRole.DEBTOR.value

    def _person(self, party: Party) -> tuple[DebtorKey, Any, tuple[tuple[Any, ...], ...]]:
        key = party.key
        birth_date = party.birth_date.isoformat() if party.birth_date else None
        source, owner = self.source, self.owner
        # Contact's order: kind, value, country, line type...
        if self.copy_lines:
            text = self.contact_text
            return key, copy_fields((party.kind, key[0], key[1], key[2], party.first_name[:100],
                                     party.last_name[:150], party.company_name[:200], birth_date)) + self.debtor_text, \
                tuple((c[0], c[1], copy_fields((c[0], c[1], c[3], _zones_json(c[4]), c[5], c[6], c[7], c[8], c[2],
                                                source, owner)) + text) for c in party.contacts)
        extra = self.contact_extra
        return key, (party.kind, key[0], key[1], key[2], party.first_name[:100], party.last_name[:150],
                     party.company_name[:200], birth_date, *self.debtor_extra), \
            tuple((c[0], c[1], c[3], _zones_json(c[4]), c[5], c[6], c[7], c[8], c[2], source, owner, *extra)
                  for c in party.contacts)

    def prepare(self, row: Row) -> Prepared:
        principal, interest, fees = str(row.principal), str(row.interest), str(row.fees)
        placement = EntryKind.PLACEMENT.value
        data = json.dumps({"kind": placement, "principal": principal, "interest": interest, "fees": fees,
                           "effective_on": self.placed_on, "import_job_id": self.job_id})
        account = (row.reference, row.product, self.currency, principal, interest, fees, principal, interest, fees,
                   row.due_on.isoformat() if row.due_on else None, AccountStatus.ACTIVE.value)
        entry = (placement, self.placed_on, self.now_db, self.actor_id, principal, interest, fees)
        if self.copy_lines:
            written: tuple[Any, Any, str] = (copy_fields(account) + self.account_text,
                                             copy_fields(entry) + self.entry_text, copy_text(data[1:]))
        else:
            written = ((*account, *self.account_extra), (*entry, *self.entry_extra), data[1:])
        return Prepared(
            row.number, row.reference, row.holder.key,
            (self._person(row.holder), *(self._person(p) for _role, p in row.parties)),
            tuple((role, p.key) for role, p in row.parties),
            *written,
            (principal, interest, fees),
            tuple(sorted(str(g) for g in row.given)),
            not (row.principal or row.interest or row.fees),
        )


_worker: tuple[RowParser, RowPreparer] | None = None


def _reference_column(parser: RowParser, raw: Mapping[str, RowValue]) -> str:
    return parser.columns_for(raw).get(Field.REFERENCE, [Field.REFERENCE])[0]


def _parse_one(parser: RowParser, preparer: RowPreparer, number: int,
               raw: dict[str, RowValue]) -> tuple[int, Prepared | list[Problem], str]:
    parsed = parser.parse(number, raw)
    return number, (parsed if isinstance(parsed, list) else preparer.prepare(parsed)), _reference_column(parser, raw)


def _parse_batch(batch: list[tuple[int, dict[str, RowValue]]]) -> list[tuple[int, Prepared | list[Problem], str]]:
    """In a worker process: parse and prepare rows with what the parent left in ``_worker``."""
    assert _worker is not None
    parser, preparer = _worker
    return [_parse_one(parser, preparer, number, raw) for number, raw in batch]


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often during a pass (and in the parse workers it
    forks): a pass allocates millions of short-lived tuples, and at the default threshold each
    700 of them start a collection. Reference counting frees them; the rare cycles wait longer.
    The threshold is the process's: other threads of a worker running an import see it too."""
    previous = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


class _Pass:
    """One pass over the file. ``write=False`` validates and counts; ``write=True`` imports."""

    def __init__(self, *, job: ImportJob, profile: ImportProfile, portfolio: Portfolio, write: bool,
                 actor: User | None, stop_on_problem: bool = False,
                 on_progress: ProgressCallback | None = None, expected_rows: int = 0) -> None:
        self.job = job
        self.profile = profile
        self.portfolio = portfolio
        self.write = write
        self.actor = actor
        self.stop_on_problem = stop_on_problem
        self.on_progress = on_progress
        self.expected_rows = expected_rows
        self.parser = RowParser(profile, portfolio)
        self.first_row_of: dict[str, int] = {}
        self.rejected_rows: set[int] = set()
        self.problems: list[Problem] = []
        self.new_debtor_keys: set[DebtorKey] = set()
        self.created_debtor_ids: set[int] = set()
        self.matched_debtor_ids: set[int] = set()
        self.counts = {"rows_read": 0, "accounts_created": 0, "accounts_updated": 0, "accounts_unchanged": 0,
                       "contact_points_created": 0}
        self.now = timezone.now()
        self.tables = write_tables(self.now)
        self.copy_lines = connection.vendor == "postgresql"
        self.preparer = RowPreparer(portfolio=portfolio, job_id=job.pk, actor_id=actor.pk if actor is not None else None,
                                    now=self.now, tables=self.tables, copy_lines=self.copy_lines)
        self.chunk_new_debtors: set[int] = set()
        # A portfolio with no account when the pass starts holds none of the file's references
        # but those this pass writes (each once: duplicates are rejected before): no lookup.
        self.portfolio_had_accounts = Account.objects.filter(portfolio=portfolio).exists()
        self.rows_written = 0
        self.analyze_at = ANALYZE_FROM_ROWS

    # -- reading --------------------------------------------------------------------------

    def run(self, path: Path) -> None:
        """Read, check and (``write=True``) import every row of ``path``, chunk by chunk."""
        with _fewer_collections():
            self._run(path)

    def _run(self, path: Path) -> None:
        chunk: list[Prepared] = []
        for number, parsed, reference_column in self._parsed(path):
            if isinstance(parsed, list):
                self.reject(parsed)
                continue
            first = self.first_row_of.get(parsed.reference)
            if first is not None:
                self.reject([Problem(number, reference_column, parsed.reference, "duplicate_reference",
                                     {"first_row": first})])
                continue
            self.first_row_of[parsed.reference] = number
            chunk.append(parsed)
            if len(chunk) >= CHUNK_ROWS:
                self.chunk(chunk)
                chunk = []
                self._progress()
        if chunk:
            self.chunk(chunk)
        self.flush()
        self._progress()

    def _progress(self) -> None:
        if self.on_progress is not None:
            read = self.counts["rows_read"]
            self.on_progress(read, max(read, self.expected_rows))

    def _source(self, path: Path) -> Iterator[tuple[int, dict[str, RowValue]]]:
        """The file's rows to parse: counted, the header checked."""
        rows = open_rows(path, encoding=self.profile.encoding, delimiter=self.profile.delimiter)
        checked_header = False
        for number, raw in rows:
            self.counts["rows_read"] += 1
            if not checked_header:
                checked_header = True
                if path.suffix.lower() not in (".jsonl", ".ndjson"):
                    missing = self.parser.missing_columns(raw)
                    if missing:
                        raise UnreadableFile("missing_columns", file=path.name, columns=", ".join(missing))
            yield number, raw

    def _parsed(self, path: Path) -> Iterator[tuple[int, Prepared | list[Problem], str]]:
        """(row number, the prepared row or its problems, the reference's column), in file order.
        Large files are parsed by worker processes, batch by batch (see ``_parse_batch``)."""
        workers = min(PARSE_WORKERS, os.cpu_count() or 1)
        if workers < 2 or path.stat().st_size < PARALLEL_MIN_BYTES or "fork" not in mp.get_all_start_methods():
            parser, preparer = self.parser, self.preparer
            for number, raw in self._source(path):
                yield _parse_one(parser, preparer, number, raw)
            return
        global _worker
        _worker = (self.parser, self.preparer)
        pending: collections.deque[Any] = collections.deque()
        with mp.get_context("fork").Pool(workers) as pool:
            batch: list[tuple[int, dict[str, RowValue]]] = []
            for item in self._source(path):
                batch.append(item)
                if len(batch) >= PARSE_BATCH:
                    pending.append(pool.apply_async(_parse_batch, (batch,)))
                    batch = []
                    if len(pending) > READ_AHEAD * workers:  # bounded read-ahead: memory stays flat
                        yield from pending.popleft().get()
            if batch:
                pending.append(pool.apply_async(_parse_batch, (batch,)))
            while pending:
                yield from pending.popleft().get()
        _worker = None

    def reject(self, problems: list[Problem]) -> None:
        if self.write and self.stop_on_problem:
            raise _RejectFile  # rolls the import back; a checking pass then reports every problem
        self.problems.extend(problems)
        self.rejected_rows.update(p.row_number for p in problems)

    def flush(self) -> None:
        """Store the problems found so far (in pass 1 committed at once, for the report)."""
        if self.problems:
            ImportRowError.objects.bulk_create(
                [ImportRowError(job=self.job, row_number=p.row_number, column=p.column[:255], value=p.value,
                                code=p.code, params=p.params) for p in self.problems],
                batch_size=500,
            )
            self.problems = []

    # -- one chunk ------------------------------------------------------------------------

    def chunk(self, rows: list[Prepared]) -> None:
        debtor_ids = _debtor_ids({key for r in rows for key, _columns, _contacts in r.people})
        table = connection.ops.quote_name(Account._meta.db_table)
        stored = [pk for (pk,) in _select_in(
            f"SELECT id FROM {table} WHERE portfolio_id = %s AND", "creditor_reference",  # noqa: S608
            [r.reference for r in rows], [self.portfolio.pk])] if self.portfolio_had_accounts else []
        accounts: dict[str, dict[str, Any]] = {}  # an update file's accounts: read through the ORM (exact decimals)
        for batch in _batches(stored):
            for values in Account.objects.filter(pk__in=batch).values(
                "pk", "creditor_reference", "debtor_id", "principal", "interest", "fees", "status"
            ):
                accounts[values["creditor_reference"]] = dict(values)
        accepted: list[Prepared] = []
        mapped = self.parser.columns_for(self.profile.column_map)
        column = mapped.get(Field.REFERENCE, [Field.REFERENCE])[0]
        for row in rows:
            existing = accounts.get(row.reference)
            if existing is not None:
                if existing["debtor_id"] != debtor_ids.get(row.holder):
                    self.reject([Problem(row.number, column, row.reference, "reference_other_debtor")])
                    continue
                changed = any(row.changes(existing).values())
                if changed and existing["status"] in _CLOSED:
                    self.reject([Problem(row.number, column, row.reference, "account_not_open",
                                         {"status": existing["status"]})])
                    continue
            elif row.zero:
                principal_column = mapped.get(Field.PRINCIPAL, [Field.PRINCIPAL])[0]
                self.reject([Problem(row.number, principal_column, "0", "zero_balance")])
                continue
            accepted.append(row)
        if not self.write:
            self.flush()  # committed now in the validating pass: the report survives the run
        created_ids = self.created_debtor_ids
        for row in accepted:
            for key, _columns, _contacts in row.people:
                pk = debtor_ids.get(key)
                if pk is None:
                    self.new_debtor_keys.add(key)
                elif pk not in created_ids:
                    self.matched_debtor_ids.add(pk)
        if not self.write:
            for row in accepted:
                existing = accounts.get(row.reference)
                if existing is None:
                    self.counts["accounts_created"] += 1
                elif any(row.changes(existing).values()):
                    self.counts["accounts_updated"] += 1
                else:
                    self.counts["accounts_unchanged"] += 1
            return
        self.chunk_new_debtors = set()
        debtor_ids.update(self._create_debtors(accepted, debtor_ids))
        self._add_contact_points(accepted, debtor_ids)
        new_rows = [r for r in accepted if r.reference not in accounts] if accounts else accepted
        account_ids = self._create_accounts(new_rows, debtor_ids)
        if any(r.parties for r in accepted):
            self._add_parties(accepted, debtor_ids, {**account_ids, **{ref: a["pk"] for ref, a in accounts.items()}})
        for row in accepted:
            existing = accounts.get(row.reference)
            if existing is not None:
                self._update_account(row, existing)
        self.rows_written += len(accepted)
        if self.rows_written >= self.analyze_at:
            self.analyze_at = 4 * self.rows_written
            _refresh_statistics()

    def _create_debtors(self, rows: list[Prepared], known: dict[DebtorKey, int]) -> dict[DebtorKey, int]:
        new: dict[DebtorKey, tuple[Any, ...]] = {}
        for row in rows:
            for key, columns, _contacts in row.people:
                if key not in known and key not in new:
                    new[key] = columns  # the first row naming a person gives the name
        if not new:
            return {}
        table = self.tables["debtor"]
        ids = table.reserve_ids(len(new))
        if self.copy_lines:
            table.write_lines(f"{pk}\t{fields}\n" for pk, fields in zip(ids, new.values(), strict=True))
        else:
            table.write(((pk, *columns) for pk, columns in zip(ids, new.values(), strict=True)), filled=True)
        self.created_debtor_ids.update(ids)
        self.chunk_new_debtors = set(ids)
        return dict(zip(new, ids, strict=True))

    def _add_contact_points(self, rows: list[Prepared], debtor_ids: dict[DebtorKey, int]) -> None:
        wanted: dict[tuple[int, str, str], tuple[Any, ...]] = {}
        for row in rows:
            for key, _columns, contacts in row.people:
                debtor_id = debtor_ids[key]
                for contact in contacts:  # kind, value, line type...
                    wanted.setdefault((debtor_id, contact[0], contact[1]), contact)
        if not wanted:
            return
        existing: dict[tuple[int, str, str], tuple[int, str]] = {}
        # Debtors created in this chunk have no contact points yet: look up the others only.
        ids = sorted({k[0] for k in wanted} - self.chunk_new_debtors)
        table = connection.ops.quote_name(ContactPoint._meta.db_table)
        for pk, debtor_id, kind, value, source in _select_in(
            f"SELECT id, debtor_id, kind, value, source FROM {table} WHERE", "debtor_id", ids  # noqa: S608
        ):
            existing[(debtor_id, kind, value)] = (pk, source)
        creditor_rank = SOURCE_RANK[ContactSource.CREDITOR]
        # A value we held only from enrichment is now vouched for by the creditor; one the
        # debtor gave us keeps its better provenance.
        upgrade = [existing[k][0] for k in wanted if k in existing and SOURCE_RANK[existing[k][1]] < creditor_rank]
        for batch in _batches(upgrade):
            ContactPoint.objects.filter(pk__in=batch).update(source=ContactSource.CREDITOR, updated_at=self.now)
        writer = self.tables["contact"]
        if self.copy_lines:
            written = writer.write_lines(f"{key[0]}\t{c[2]}\n" for key, c in wanted.items() if key not in existing)
        else:
            written = writer.write(((key[0], *c) for key, c in wanted.items() if key not in existing), filled=True)
        self.counts["contact_points_created"] += written

    def _create_accounts(self, rows: list[Prepared], debtor_ids: dict[DebtorKey, int]) -> dict[str, int]:
        if not rows:
            return {}
        tables = self.tables
        portfolio_id, now_db = self.portfolio.pk, self.preparer.now_db
        account_ids = tables["account"].reserve_ids(len(rows))
        entry_ids = tables["entry"].reserve_ids(len(rows))
        placed = (EventKind.PLACED.value, now_db, self.preparer.actor_id, AccountStatus.ACTIVE.value)
        if self.copy_lines:
            now_text = copy_text(now_db)
            tables["account"].write_lines(
                f"{pk}\t{portfolio_id}\t{debtor_ids[r.holder]}\t{now_text}\t{r.account}\n"
                for pk, r in zip(account_ids, rows, strict=True)
            )
            tables["entry"].write_lines(
                f"{entry_id}\t{account_id}\t{r.entry}\n"
                for entry_id, account_id, r in zip(entry_ids, account_ids, rows, strict=True)
            )
            placed_text = "\t" + copy_fields(placed) + tables["event"].extra_text
            tables["event"].write_lines(
                f'{account_id}\t{{"entry_id": {entry_id}, {r.event_data}{placed_text}\n'
                for entry_id, account_id, r in zip(entry_ids, account_ids, rows, strict=True)
            )
        else:
            tables["account"].write(
                ((pk, portfolio_id, debtor_ids[r.holder], now_db, *r.account)
                 for pk, r in zip(account_ids, rows, strict=True)),
                filled=True,
            )
            tables["entry"].write(
                ((entry_id, account_id, *r.entry)
                 for entry_id, account_id, r in zip(entry_ids, account_ids, rows, strict=True)),
                filled=True,
            )
            placed_row = (*placed, *tables["event"].extra)
            tables["event"].write(
                ((account_id, f'{{"entry_id": {entry_id}, {r.event_data}', *placed_row)
                 for entry_id, account_id, r in zip(entry_ids, account_ids, rows, strict=True)),
                filled=True,
            )
        self.counts["accounts_created"] += len(rows)
        return {r.reference: pk for r, pk in zip(rows, account_ids, strict=True)}

    def _add_parties(self, rows: list[Prepared], debtor_ids: dict[DebtorKey, int],
                     account_ids: dict[str, int]) -> None:
        wanted = {
            (account_ids[r.reference], debtor_ids[key], AccountPartyRole(role))
            for r in rows for role, key in r.parties
        }
        if not wanted:
            return
        table = connection.ops.quote_name(AccountParty._meta.db_table)
        existing = set(_select_in(f"SELECT account_id, debtor_id, role FROM {table} WHERE", "account_id",  # noqa: S608
                                  sorted({w[0] for w in wanted})))
        new = sorted(w for w in wanted if w not in existing)
        tables = self.tables
        tables["party"].write((a, d, str(role)) for a, d, role in new)
        now_db = self.preparer.now_db
        actor_id = self.preparer.actor_id
        tables["event"].write(
            (a, json.dumps({"debtor_id": d, "role": str(role)}), EventKind.PARTY_ADDED.value, now_db, actor_id, "")
            for a, d, role in new
        )

    def _update_account(self, row: Prepared, existing: dict[str, Any]) -> None:
        deltas = row.changes(existing)
        if not any(deltas.values()):
            self.counts["accounts_unchanged"] += 1
            return
        account = Account.objects.get(pk=existing["pk"])
        ledger_post(
            account=account, kind=EntryKind.ADJUSTMENT, effective_on=timezone.localdate(), actor=self.actor,
            memo=UPDATE_MEMO, external_reference=f"import-job-{self.job.pk}", **deltas,
        )
        self.counts["accounts_updated"] += 1

    def debtor_counts(self) -> dict[str, int]:
        if self.write:
            return {"debtors_created": len(self.created_debtor_ids), "debtors_matched": len(self.matched_debtor_ids)}
        return {"debtors_created": len(self.new_debtor_keys), "debtors_matched": len(self.matched_debtor_ids)}


# --------------------------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    return _file_digest(path)[0]


def _file_digest(path: Path) -> tuple[str, int]:
    """The file's SHA-256 and its number of line breaks, in one read."""
    digest = hashlib.sha256()
    lines = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
            lines += block.count(b"\n")
    return digest.hexdigest(), lines


def import_job_create(
    *, creditor: Creditor, portfolio: Portfolio, profile: ImportProfile, path: Path, actor: User | None,
    dry_run: bool = False,
) -> tuple[ImportJob, bool]:
    """A job for ``path``, or — for a real import of content this portfolio already received —
    the earlier job, with ``False``."""
    if portfolio.creditor_id != creditor.pk or profile.creditor_id != creditor.pk:
        raise ImportJobError(_("The portfolio and the profile must belong to the creditor."))
    sha256 = file_sha256(path)
    if not dry_run:
        earlier = ImportJob.objects.filter(portfolio=portfolio, sha256=sha256, dry_run=False).first()
        if earlier is not None:
            return earlier, False
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                creditor=creditor, portfolio=portfolio, profile=profile, file_name=path.name[:255], sha256=sha256,
                size_bytes=path.stat().st_size, dry_run=dry_run, actor=actor,
            )
    except IntegrityError:
        return ImportJob.objects.get(portfolio=portfolio, sha256=sha256, dry_run=False), False
    return job, True


def import_job_set_profile(*, job: ImportJob, profile: ImportProfile) -> bool:
    """Give a job another profile of its creditor; only a job nobody has run or confirmed may
    change it. Returns whether it changed."""
    if profile.creditor_id != job.creditor_id:
        raise ImportJobError(_("The portfolio and the profile must belong to the creditor."))
    changed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.UPLOADED, confirmed_at=None).update(
        profile=profile
    )
    if changed:
        job.profile = profile
    return bool(changed)


def import_job_confirm(*, job: ImportJob) -> bool:
    """Confirm a job for its real run: a compare-and-set, so a double click or a second person
    confirms once. Returns whether this call confirmed it (the caller then enqueues the run)."""
    confirmed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.UPLOADED, confirmed_at=None).update(
        confirmed_at=timezone.now()
    )
    return bool(confirmed)


_COUNT_FIELDS = ("rows_read", "rows_rejected", "accounts_created", "accounts_updated", "accounts_unchanged",
                 "debtors_created", "debtors_matched", "contact_points_created")


def _claim(job: ImportJob) -> int:
    """Start a run: compare-and-set the job to validating with a new attempt number."""
    job.refresh_from_db()
    if ImportStatus.VALIDATING not in IMPORT_TRANSITIONS[job.status]:
        raise ImportJobError(_("Job %(id)s is %(status)s and cannot run again.") % {"id": job.pk, "status": job.status})
    claimed = ImportJob.objects.filter(pk=job.pk, status=job.status, attempt=job.attempt).update(
        status=ImportStatus.VALIDATING, attempt=F("attempt") + 1, started_at=timezone.now(), finished_at=None,
        failure_code="", failure_params={}, **dict.fromkeys(_COUNT_FIELDS, 0),
    )
    if not claimed:
        raise ImportJobError(_("Job %(id)s was started by another run.") % {"id": job.pk})
    ImportRowError.objects.filter(job=job).delete()
    job.refresh_from_db()
    return job.attempt


def _move(job: ImportJob, attempt: int, to_status: str, **fields: Any) -> None:
    """Move the job this run holds to ``to_status``; refuse moves the table does not allow."""
    current = ImportJob.objects.filter(pk=job.pk).values_list("status", "attempt").get()
    if current[1] != attempt:
        raise ImportJobError(_("Job %(id)s was taken over by another run.") % {"id": job.pk})
    if to_status not in IMPORT_TRANSITIONS[current[0]]:
        raise ImportJobError(
            _("Job %(id)s cannot move from %(from)s to %(to)s.") % {"id": job.pk, "from": current[0], "to": to_status}
        )
    if to_status in (ImportStatus.DONE, ImportStatus.FAILED) or (to_status == ImportStatus.VALIDATED and job.dry_run):
        fields.setdefault("finished_at", timezone.now())
    updated = ImportJob.objects.filter(pk=job.pk, attempt=attempt, status=current[0]).update(status=to_status, **fields)
    if not updated:
        raise ImportJobError(_("Job %(id)s was taken over by another run.") % {"id": job.pk})
    job.refresh_from_db()


@contextlib.contextmanager
def _write_cache() -> Iterator[None]:
    """On SQLite, a 256 MiB page cache for the importing transaction (the default 2 MiB makes
    every index insertion of a large file a disk read); the previous size comes back after."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size=-262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={previous}")


class _RejectFile(Exception):
    """Rolls back the import transaction when the reject_file policy meets a bad row."""


def import_run(*, job: ImportJob, path: Path, actor: User | None = None,
               on_progress: ProgressCallback | None = None) -> ImportJob:
    """Validate and import ``path`` for ``job`` (see the module docstring). Returns the job,
    ``done``, ``validated`` (dry run) or ``failed`` with its ``failure_message``. Runs again a
    job left ``failed`` or interrupted (validating, validated, importing).

    ``on_progress(rows_read, rows_expected)`` is called after every chunk (``rows_expected`` is
    an estimate from the file until the end). It runs inside the import's transaction: report
    progress somewhere other than this database (on SQLite nobody else could read it)."""
    attempt = _claim(job)
    profile = job.profile
    portfolio = Portfolio.objects.select_related("creditor").get(pk=job.portfolio_id)
    actor = actor or job.actor
    try:
        if not path.is_file():
            raise UnreadableFile("not_found", file=path.name)
        sha256, lines = _file_digest(path)
        if sha256 != job.sha256:
            raise UnreadableFile("content_changed", file=path.name)
        if profile.default_currency and profile.default_currency != portfolio.currency:
            raise UnreadableFile("currency_mismatch", profile=profile.default_currency, portfolio=portfolio.currency)
        return _run_passes(job, attempt, path, profile, portfolio, actor, on_progress,
                           _estimated_rows(path, lines))
    except UnreadableFile as exc:
        _move(job, attempt, ImportStatus.FAILED, failure_code=exc.code, failure_params=exc.params)
        return job
    except ImportJobError:
        raise
    except Exception as exc:
        logger.exception("Import job %s failed", job.pk)
        _move(job, attempt, ImportStatus.FAILED, failure_code="internal_error",
              failure_params={"detail": f"{type(exc).__name__}: {exc}"[:500]})
        return job


def _estimated_rows(path: Path, lines: int) -> int:
    """Rows of the file, roughly (exact for text files without quoted line breaks)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return path.stat().st_size // XLSX_BYTES_PER_ROW
    return max(lines - 1, 0) if path.suffix.lower() not in (".jsonl", ".ndjson") else lines


def _large_load(expected_rows: int) -> contextlib.AbstractContextManager[Any]:
    """For a file at least as large as the portfolio tables already are (a first placement, a
    migration), the tables' plain indexes (and PostgreSQL foreign keys) are dropped for the
    load and rebuilt at its end in the same transaction (``indexes_rebuilt_after``); readers
    of those tables wait until the import commits. Smaller files keep them."""
    if expected_rows < LARGE_IMPORT_ROWS:
        return contextlib.nullcontext()
    stored = Account.objects.count()  # a second or so on 10M rows, only asked for large files
    if expected_rows < stored:
        return contextlib.nullcontext()
    logger.info("Large import (%s rows, %s accounts stored): indexes rebuilt after the load", expected_rows, stored)
    return indexes_rebuilt_after(BULK_MODELS, keep=LOOKUP_INDEXES)


def _run_passes(job: ImportJob, attempt: int, path: Path, profile: ImportProfile, portfolio: Portfolio,
                actor: User | None, on_progress: ProgressCallback | None, expected_rows: int) -> ImportJob:
    strict = profile.bad_row_policy == BadRowPolicy.REJECT_FILE
    started = time.perf_counter()
    if job.dry_run:
        check = _Pass(job=job, profile=profile, portfolio=portfolio, write=False, actor=actor,
                      on_progress=on_progress, expected_rows=expected_rows)
        check.run(path)
        logger.info("Import job %s: dry run %.1f s", job.pk, time.perf_counter() - started)
        counts: dict[str, int] = {**check.counts, **check.debtor_counts(), "rows_rejected": len(check.rejected_rows)}
        if check.rejected_rows and strict:
            _move(job, attempt, ImportStatus.FAILED, failure_code="rows_rejected",
                  failure_params={"count": len(check.rejected_rows)}, rows_read=counts["rows_read"],
                  rows_rejected=counts["rows_rejected"])
            return job
        _move(job, attempt, ImportStatus.VALIDATED, **counts)
        return job
    _move(job, attempt, ImportStatus.IMPORTING)
    try:
        with _write_cache(), transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.attempt != attempt or locked.status != ImportStatus.IMPORTING:
                raise ImportJobError(_("Job %(id)s was taken over by another run.") % {"id": job.pk})
            load = _Pass(job=job, profile=profile, portfolio=portfolio, write=True, actor=actor,
                         stop_on_problem=strict, on_progress=on_progress, expected_rows=expected_rows)
            with _large_load(expected_rows) as rebuilt:
                load.run(path)  # stores the problems it finds in this same transaction
            logger.info("Import job %s: one pass %.1f s (indexes rebuilt in %.1f s)", job.pk,
                        time.perf_counter() - started, (rebuilt or {}).get("seconds", 0.0))
            _move(job, attempt, ImportStatus.DONE, **load.counts, **load.debtor_counts(),
                  rows_rejected=len(load.rejected_rows))
    except _RejectFile:
        # reject_file policy: the first bad row rolled everything back; report them all.
        check = _Pass(job=job, profile=profile, portfolio=portfolio, write=False, actor=actor)
        ImportRowError.objects.filter(job=job).delete()
        check.run(path)
        _move(job, attempt, ImportStatus.FAILED, failure_code="rows_rejected",
              failure_params={"count": len(check.rejected_rows)}, rows_read=check.counts["rows_read"],
              rows_rejected=len(check.rejected_rows))
    return job
