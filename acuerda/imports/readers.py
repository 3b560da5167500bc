"""Reading creditors' files row by row, and parsing their amounts and dates.

Every reader yields ``(row_number, {column: value})`` lazily, so a million-row file never sits in
memory. Row numbers are what a person sees: in CSV and XLSX the header is row 1 and the first
data row is row 2 (a CSV record with quoted newlines is still one row); in JSON Lines a row is a
line. Values are ``str``, except XLSX numbers (``Decimal``) and dates (``date``/``datetime``)
and JSON numbers (``Decimal``), which keep their type so a decimal comma profile cannot misread
them. Rows with no value at all are skipped.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from acuerda.imports.choices import DATE_FORMATS

__all__ = [
    "AmountError",
    "DateError",
    "FileFormat",
    "RowValue",
    "UnreadableFile",
    "detect_format",
    "open_rows",
    "parse_amount",
    "parse_date",
]

RowValue = str | Decimal | dt.date
SourceRow = tuple[int, dict[str, RowValue]]

csv.field_size_limit(1 << 24)


class UnreadableFile(ValueError):
    """The file cannot be read at all; ``code`` and ``params`` render with ``FILE_PROBLEMS``."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        from acuerda.imports.choices import FILE_PROBLEMS
        from acuerda.imports.models import render_reason

        return render_reason(FILE_PROBLEMS, self.code, self.params)


class FileFormat:
    CSV = "csv"
    XLSX = "xlsx"
    JSONL = "jsonl"


_SUFFIXES = {".csv": FileFormat.CSV, ".txt": FileFormat.CSV, ".tsv": FileFormat.CSV,
             ".xlsx": FileFormat.XLSX, ".jsonl": FileFormat.JSONL, ".ndjson": FileFormat.JSONL}  # fmt: skip


def detect_format(path: Path) -> str:
    if not path.is_file():
        raise UnreadableFile("not_found", file=path.name)
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise UnreadableFile("unsupported_format", file=path.name)
    return fmt


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------

_BLOCK = 1 << 20


def _decodes_as(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes; checked block by block, never holding the file."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as stream:
            while block := stream.read(_BLOCK):
                if b"\x00" in block:
                    raise UnreadableFile("binary", file=path.name)
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    """UTF-8 with a BOM, else UTF-8 if everything decodes, else Windows-1252, else Latin-1
    (which decodes any byte: the five bytes cp1252 leaves undefined are control characters)."""
    with path.open("rb") as stream:
        head = stream.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        if _decodes_as(path, encoding):
            return encoding
    return "latin-1"


_DELIMITERS = (";", ",", "\t")


def detect_delimiter(sample: str) -> str:
    """The candidate that splits the header into most columns and the following records into
    the same number of columns (quotes respected)."""
    best, best_score = ",", (-1, -1)
    for delimiter in _DELIMITERS:
        records = list(_take(csv.reader(io.StringIO(sample), delimiter=delimiter), 30))
        if len(records) > 1 and not sample.endswith("\n"):
            records = records[:-1]  # the sample may cut the last record short
        if not records:
            continue
        width = len(records[0])
        consistent = sum(1 for r in records[1:] if len(r) == width or not any(r))
        score = (consistent if width > 1 else -1, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _take(iterator: Iterator[list[str]], count: int) -> Iterator[list[str]]:
    try:
        for _index in range(count):
            yield next(iterator)
    except (StopIteration, csv.Error):
        return


def _header(raw: list[str], file_name: str) -> list[str]:
    names = [name.strip() for name in raw]
    seen: set[str] = set()
    for name in names:
        if name and name.casefold() in seen:
            raise UnreadableFile("duplicate_column", file=file_name, column=name)
        seen.add(name.casefold())
    if not any(names):
        raise UnreadableFile("empty", file=file_name)
    return names


def read_csv(path: Path, *, encoding: str = "auto", delimiter: str = "auto") -> Iterator[SourceRow]:
    if encoding == "auto":
        encoding = detect_encoding(path)
    elif not _decodes_as(path, encoding):
        raise UnreadableFile("undecodable", file=path.name, encoding=encoding)
    with path.open("r", encoding=encoding, newline="") as stream:
        if delimiter == "auto":
            delimiter = detect_delimiter(stream.read(64 * 1024))
            stream.seek(0)
        elif delimiter == "tab":
            delimiter = "\t"
        reader = csv.reader(stream, delimiter=delimiter)
        row_number = 0
        try:
            header: list[str] | None = None
            for record in reader:
                row_number += 1
                if header is None:
                    if not any(cell.strip() for cell in record):
                        continue
                    header = _header(record, path.name)
                    continue
                if not any(cell.strip() for cell in record):
                    continue
                # Unnamed columns (empty trailing ones) carry nothing we can map.
                yield row_number, {name: value for name, value in zip(header, record, strict=False) if name}
        except csv.Error as exc:
            raise UnreadableFile("malformed", file=path.name, row=row_number + 1, detail=str(exc)) from None
        if header is None:
            raise UnreadableFile("empty", file=path.name)


# --------------------------------------------------------------------------------------------
# XLSX (openpyxl read-only: rows are streamed from the zip, the sheet is never loaded whole)
# --------------------------------------------------------------------------------------------


def _cell(value: object) -> RowValue:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    return str(value)


def read_xlsx(path: Path) -> Iterator[SourceRow]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise UnreadableFile("not_xlsx", file=path.name, detail=str(exc) or type(exc).__name__) from None
    try:
        sheet = workbook.worksheets[0]
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:  # some writers record a wrong sheet size; read to the real end
            reset()
        header: list[str] | None = None
        for row_number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
            if not any(c != "" for c in cells):
                continue
            if header is None:
                header = _header([str(c) for c in cells], path.name)
                continue
            yield row_number, {name: value for name, value in zip(header, cells, strict=False) if name}
        if header is None:
            raise UnreadableFile("empty", file=path.name)
    finally:
        workbook.close()


# --------------------------------------------------------------------------------------------
# JSON Lines
# --------------------------------------------------------------------------------------------


def _json_value(value: object) -> RowValue:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def read_jsonl(path: Path, *, encoding: str = "auto") -> Iterator[SourceRow]:
    if encoding == "auto":
        encoding = "utf-8-sig"
    try:
        with path.open("r", encoding=encoding) as stream:
            for row_number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line, parse_float=Decimal)
                except json.JSONDecodeError:
                    data = None
                if not isinstance(data, dict):
                    raise UnreadableFile("invalid_json", file=path.name, row=row_number)
                yield row_number, {str(k).strip(): _json_value(v) for k, v in data.items()}
    except UnicodeDecodeError:
        raise UnreadableFile("undecodable", file=path.name, encoding=encoding) from None


def open_rows(path: Path, *, encoding: str = "auto", delimiter: str = "auto") -> Iterator[SourceRow]:
    """Rows of a CSV, XLSX or JSON Lines file, chosen by the file's suffix."""
    fmt = detect_format(path)
    if fmt == FileFormat.XLSX:
        return read_xlsx(path)
    if fmt == FileFormat.JSONL:
        return read_jsonl(path, encoding=encoding)
    return read_csv(path, encoding=encoding, delimiter=delimiter)


@dataclass
class Preview:
    format: str
    columns: list[str]
    rows: list[dict[str, RowValue]] = field(default_factory=list)


def preview(path: Path, *, encoding: str = "auto", delimiter: str = "auto", rows: int = 5) -> Preview:
    """The columns and first rows of a file; raises ``UnreadableFile`` if it cannot be read."""
    fmt = detect_format(path)
    sample: list[dict[str, RowValue]] = []
    iterator = open_rows(path, encoding=encoding, delimiter=delimiter)
    columns: list[str] = []
    for _number, row in iterator:
        sample.append(row)
        for name in row:
            if name not in columns:
                columns.append(name)
        if len(sample) >= rows:
            break
    close = getattr(iterator, "close", None)
    if close is not None:
        close()
    return Preview(format=fmt, columns=columns, rows=sample)


# --------------------------------------------------------------------------------------------
# Amounts and dates
# --------------------------------------------------------------------------------------------


class AmountError(ValueError):
    """``code``: invalid_amount, negative_amount or too_many_decimals."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_CURRENCY_MARKS = re.compile(r"[€$£]|\b(?:EUR|COP|PEN|MXN|USD|CLP|ARS|S/)\b|S/", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


_CENT = Decimal("0.01")


@functools.lru_cache(maxsize=32)
def _plain_amount(decimal: str, thousands: str) -> re.Pattern[str]:
    """The common spelling, digits (grouped by three, or not) and up to two decimals, as one
    compiled pattern per separator pair: what ``parse_amount`` reads without its general path."""
    grouped = rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|" if thousands else ""
    return re.compile(rf"({grouped}\d+)(?:{re.escape(decimal)}(\d{{1,2}}))?")


def parse_amount(value: RowValue, *, decimal: str = ",", thousands: str = ".") -> Decimal | None:
    """``"1.234,56"`` (decimal comma) or ``"1,234.56"`` (decimal point) to ``Decimal``; empty is
    ``None``, ``"-"`` is zero. Thousands separators must group by three; anything else, more
    than two decimals or a negative amount raises ``AmountError``."""
    if type(value) is str:
        plain = _plain_amount(decimal, thousands).fullmatch(value)
        if plain is not None:  # no signs, marks or spaces: the same reading as below, cheaper
            integer, fraction = plain.groups()
            if thousands:
                integer = integer.replace(thousands, "")
            return Decimal(f"{integer}.{fraction or '0'}").quantize(_CENT)
    if isinstance(value, dt.date):
        raise AmountError("invalid_amount")
    if isinstance(value, Decimal):
        amount = value
    else:
        text = _SPACES.sub(" ", _CURRENCY_MARKS.sub("", value)).strip()
        if not text:
            return None
        if text in {"-", "\u2013", "\u2014"}:  # a dash for zero, as accountants write it
            return Decimal("0.00")
        negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
        text = text.strip("()").lstrip("-").strip()
        if thousands != " ":
            text = text.replace(" ", "")
        integer, _sep, fraction = text.partition(decimal)
        if thousands and thousands in integer:
            if not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+", integer):
                raise AmountError("invalid_amount")
            integer = integer.replace(thousands, "")
        if not re.fullmatch(r"\d+", integer or "0") or (_sep and not re.fullmatch(r"\d+", fraction)):
            raise AmountError("invalid_amount")
        try:
            amount = Decimal(f"{integer or '0'}.{fraction or '0'}")
        except InvalidOperation:
            raise AmountError("invalid_amount") from None
        if negative and amount:
            amount = -amount
    if not amount.is_finite():
        raise AmountError("invalid_amount")
    if amount < 0:
        raise AmountError("negative_amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise AmountError("too_many_decimals")
    return amount.quantize(Decimal("0.01"))


class DateError(ValueError):
    """``code``: invalid_date or ambiguous_date; ``dates`` the readings when ambiguous."""

    def __init__(self, code: str, dates: tuple[dt.date, ...] = ()) -> None:
        super().__init__(code)
        self.code = code
        self.dates = dates


_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01; Excel's phantom 29 Feb 1900 included
_EXCEL_RANGE = (1, 2_958_465)  # up to 9999-12-31


def _excel(value: Decimal | str) -> dt.date | None:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or not _EXCEL_RANGE[0] <= number <= _EXCEL_RANGE[1]:
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=int(number))


# The numeric formats, read without strptime (several times faster; a million-row file has a
# million dates): (pattern, positions of year, month, day). What does not match takes strptime.
_NUMERIC_DATES: dict[str, tuple[re.Pattern[str], tuple[int, int, int]]] = {
    "dd/mm/yyyy": (re.compile(r"(\d\d?)/(\d\d?)/(\d{4})"), (3, 2, 1)),
    "dd-mm-yyyy": (re.compile(r"(\d\d?)-(\d\d?)-(\d{4})"), (3, 2, 1)),
    "dd.mm.yyyy": (re.compile(r"(\d\d?)\.(\d\d?)\.(\d{4})"), (3, 2, 1)),
    "yyyy-mm-dd": (re.compile(r"(\d{4})-(\d\d?)-(\d\d?)"), (1, 2, 3)),
    "yyyy/mm/dd": (re.compile(r"(\d{4})/(\d\d?)/(\d\d?)"), (1, 2, 3)),
    "mm/dd/yyyy": (re.compile(r"(\d\d?)/(\d\d?)/(\d{4})"), (3, 1, 2)),
}


def _read_date(text: str, name: str) -> dt.date | None:
    numeric = _NUMERIC_DATES.get(name)
    if numeric is not None:
        match = numeric[0].fullmatch(text)
        if match is not None:
            year, month, day = (int(match.group(i)) for i in numeric[1])
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    try:
        return dt.datetime.strptime(text, DATE_FORMATS[name]).date()  # noqa: DTZ007 - a date, no time
    except ValueError:
        return None


def parse_date(value: RowValue, *, formats: list[str]) -> dt.date | None:
    """A date in one of the profile's ``formats`` (keys of ``DATE_FORMATS``); empty is ``None``.

    A value that reads as two different dates with two of the formats (``03/04/2025`` with
    dd/mm/yyyy and mm/dd/yyyy) is refused as ambiguous rather than guessed.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = format(value, "f") if isinstance(value, Decimal) else value.strip()
    if not text:
        return None
    readings: list[dt.date] = []
    for name in formats:
        reading: dt.date | None
        if name == "excel":
            reading = _excel(text) if re.fullmatch(r"\d+(?:\.\d+)?", text) else None
        else:
            reading = _read_date(text, name)
        if reading is not None and reading not in readings:
            readings.append(reading)
    if not readings:
        raise DateError("invalid_date")
    if len(readings) > 1:
        raise DateError("ambiguous_date", tuple(readings))
    return readings[0]
