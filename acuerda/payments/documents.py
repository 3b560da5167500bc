"""The monthly remittance statement (rendición de cuentas) and the agency's fee invoice.

Pure functions over frozen dataclasses: no models, no database. The caller gathers the month's
payments per creditor, computes each line's commission from the portfolio's fee schedule
(rounded to the currency's minor unit) and hands a :class:`Remittance` to
:func:`remittance_xlsx` or :func:`remittance_pdf`, which return the file's bytes.

**Money.** Every amount is a ``Decimal`` in the remittance's currency; floats are refused. Lines
must already be rounded to the currency's minor unit (2 decimals for EUR, 0 for CLP). Totals
are exact sums of the lines. The VAT on the commission is computed once, on the commission
total (not per line), and rounded **half-up** to the currency's minor unit, as Spanish invoicing
rounds tax amounts (``acuerda.core.money.quantize`` rounds half-even, so it is not used here;
the exponent is the same).

**Netting.** The agency settles its invoice by deducting it from the money it hands over, so the
net to transfer is ``collected - commission - VAT + adjustments``. With ``vat_netted=False``
only the commission base is deducted and the creditor pays the VAT separately to the agency's
account (the invoice says which part is settled by deduction and which is due). Adjustments are
signed corrections carried from previous periods (a reversed payment is negative) and move the
net only, never the invoice. A negative net means the creditor owes the agency.

**Language.** Documents are in the creditor's language: ``language`` is ``"es"`` (default) or
``"en"``, optionally with a region (``"es-CL"``) which selects how amounts and dates are formatted
(babel); without one, Spanish formats as in Spain and English as in the United Kingdom. Labels
are English gettext messages. Until they are in the project's Spanish catalogue, a table here
supplies the Spanish text (``_ES``); a catalogue translation, when present, wins.

**Drafts.** ``issued_on=None`` is a draft: the PDF carries a diagonal "BORRADOR"/"DRAFT" watermark
on every page and the workbook says so in each sheet's title and print header.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_precision,
    get_currency_symbol,
)
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from acuerda.core.money import validate_currency_code

__all__ = [
    "Party",
    "Remittance",
    "RemittanceLine",
    "Subtotal",
    "remittance_pdf",
    "remittance_xlsx",
    "round_half_up",
]

LANGUAGES = ("es", "en")
_DEFAULT_REGION = {"es": "ES", "en": "GB"}

# Spanish for the labels below, used only while the project's catalogue lacks them.
_ES: dict[str, str] = {
    "Summary": "Resumen",
    "Detail": "Detalle",
    "Invoice": "Factura",
    "Remittance statement": "Rendición de cuentas",
    "Remittance %(number)s": "Rendición %(number)s",
    "DRAFT": "BORRADOR",
    "Draft: not issued": "Borrador: no emitida",
    "Agency": "Agencia",
    "Creditor": "Acreedor",
    "Issuer": "Emisor",
    "Customer": "Cliente",
    "Tax ID": "NIF",
    "Address": "Dirección",
    "IBAN": "IBAN",
    "Period": "Periodo",
    "Currency": "Moneda",
    "Issued on": "Fecha de emisión",
    "Operations date": "Fecha de las operaciones",
    "Invoice number": "Número de factura",
    "%(start)s to %(end)s": "del %(start)s al %(end)s",
    "Collections by portfolio": "Cobros por cartera",
    "Commission by delinquency bucket": "Comisión por tramo de mora",
    "Payments collected": "Detalle de cobros",
    "Net settlement": "Liquidación",
    "Portfolio": "Cartera",
    "Bucket": "Tramo",
    "Payments": "Cobros",
    "Collected": "Cobrado",
    "Rate": "Tarifa",
    "Commission": "Comisión",
    "Account": "Cuenta",
    "Debtor": "Deudor",
    "Paid on": "Fecha de pago",
    "Payment reference": "Referencia de pago",
    "Total": "Total",
    "Total collected": "Total cobrado",
    "Collection commission": "Comisión de gestión de cobro",
    "VAT on the commission (%(rate)s)": "IVA sobre la comisión (%(rate)s)",
    "Adjustments from previous periods": "Ajustes de periodos anteriores",
    "Net to transfer to the creditor": "Neto a transferir al acreedor",
    "Balance due to the agency": "Saldo a favor de la agencia",
    "Transfer to IBAN %(iban)s": "Transferencia a la cuenta IBAN %(iban)s",
    "Pay to IBAN %(iban)s": "Pagar en la cuenta IBAN %(iban)s",
    "No payments in this period.": "Sin cobros en este periodo.",
    "No adjustments.": "Sin ajustes.",
    "Description": "Descripción",
    "Amount": "Importe",
    "Quantity": "Cantidad",
    "Taxable base": "Base imponible",
    "VAT %(rate)s": "IVA %(rate)s",
    "VAT rate": "Tipo de IVA",
    "VAT": "IVA",
    "Invoice total": "Total factura",
    "Collection management fee, period %(period)s": "Comisión de gestión de cobro, periodo %(period)s",
    "Settled by deduction from remittance %(number)s.": "Importe compensado en la rendición de cuentas %(number)s.",
    "The commission (%(base)s) is deducted from remittance %(number)s; the VAT (%(vat)s) is payable by transfer.": "La comisión (%(base)s) se compensa en la rendición de cuentas %(number)s; el IVA (%(vat)s) se abona por transferencia.",
    "The agency's commission and its VAT are deducted from the amount transferred.": "La comisión de la agencia y su IVA se descuentan del importe transferido.",
    "The agency's commission is deducted from the amount transferred; its VAT is invoiced for separate payment.": "La comisión de la agencia se descuenta del importe transferido; su IVA se factura para pago aparte.",
    "Page %(page)s of %(pages)s": "Página %(page)s de %(pages)s",
    "Payment terms": "Forma de pago",
    "Check": "Comprobación",
}


def _(message: str) -> str:
    """gettext, falling back to the Spanish table while the catalogue lacks a label."""
    translated = gettext(message)
    language = (translation.get_language() or "").lower()
    if translated == message and language.startswith("es"):
        if message == "Tax ID" and language not in ("es", "es-es"):
            return "Id. fiscal"  # NIF is Spain's; Latin America says RUT, RUC, NIT…
        return _ES.get(message, message)
    return translated


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def round_half_up(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, halves away from zero (0.005 → 0.01)."""
    exponent = Decimal(1).scaleb(-get_currency_precision(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def _check_amount(value: object, field: str, currency: str) -> None:
    if not isinstance(value, Decimal):
        raise TypeError(f"{field}: amounts must be Decimal, not {type(value).__name__}.")
    if not value.is_finite():
        raise ValueError(f"{field}: {value!r} is not a finite number.")
    if value != round_half_up(value, currency):
        raise ValueError(
            f"{field}: {value} has more decimals than {currency} allows "
            f"({get_currency_precision(currency)})."
        )


@dataclass(frozen=True, slots=True)
class Party:
    """A company on the document: the creditor or the agency."""

    name: str
    tax_id: str
    address: str
    iban: str = ""


@dataclass(frozen=True, slots=True)
class RemittanceLine:
    """One payment collected in the period and the commission the agency earns on it."""

    portfolio: str
    account_reference: str
    debtor_name: str  # '' when minimised
    paid_on: dt.date
    payment_reference: str
    bucket: str  # delinquency bucket, e.g. "91-180"
    collected: Decimal
    rate_percent: Decimal
    commission: Decimal  # computed and rounded to the currency's minor unit by the caller


class Subtotal(NamedTuple):
    """Payments, collected and commission for one portfolio or one bucket."""

    key: str
    payments: int
    collected: Decimal
    commission: Decimal


def _bucket_order(bucket: str) -> tuple[int, str]:
    """Buckets sort by the first day they cover ("0-30" < "31-90" < "181+"), then by name."""
    match = re.match(r"\s*(\d+)", bucket)
    return (int(match.group(1)) if match else 1 << 30, bucket)


@dataclass(frozen=True, slots=True)
class Remittance:
    """A creditor's monthly remittance statement and the agency's invoice for its commission.

    ``net_to_transfer = collected_total - commission_total - vat_amount + adjustments_total``
    (the VAT term only when ``vat_netted``); see the module docstring.
    """

    number: str
    creditor: Party
    agency: Party
    period_start: dt.date
    period_end: dt.date
    currency: str
    lines: tuple[RemittanceLine, ...]
    adjustments: tuple[tuple[str, Decimal], ...]
    vat_rate_percent: Decimal
    invoice_number: str
    issued_on: dt.date | None  # None: draft
    language: str = "es"
    vat_netted: bool = True

    def __post_init__(self) -> None:
        validate_currency_code(self.currency)
        if self.period_end < self.period_start:
            raise ValueError(
                f"Period ends ({self.period_end}) before it starts ({self.period_start})."
            )
        if _split_language(self.language)[0] not in LANGUAGES:
            raise ValueError(f"Language {self.language!r} is not one of {', '.join(LANGUAGES)}.")
        if not isinstance(self.vat_rate_percent, Decimal) or not (
            self.vat_rate_percent.is_finite() and self.vat_rate_percent >= 0
        ):
            raise ValueError(f"VAT rate {self.vat_rate_percent!r} must be a Decimal ≥ 0.")
        for index, line in enumerate(self.lines, start=1):
            _check_amount(line.collected, f"line {index} collected", self.currency)
            _check_amount(line.commission, f"line {index} commission", self.currency)
            if not isinstance(line.rate_percent, Decimal):
                raise TypeError(f"line {index} rate_percent: must be Decimal.")
        for description, amount in self.adjustments:
            _check_amount(amount, f"adjustment {description!r}", self.currency)

    @property
    def is_draft(self) -> bool:
        return self.issued_on is None

    @property
    def collected_total(self) -> Decimal:
        return sum((line.collected for line in self.lines), Decimal(0))

    @property
    def commission_total(self) -> Decimal:
        return sum((line.commission for line in self.lines), Decimal(0))

    @property
    def vat_amount(self) -> Decimal:
        """VAT on the commission total, rounded half-up to the currency's minor unit."""
        return round_half_up(self.commission_total * self.vat_rate_percent / 100, self.currency)

    @property
    def invoice_total(self) -> Decimal:
        return self.commission_total + self.vat_amount

    @property
    def adjustments_total(self) -> Decimal:
        return sum((amount for _description, amount in self.adjustments), Decimal(0))

    @property
    def vat_deducted(self) -> Decimal:
        """The part of the VAT taken from the transfer: all of it when netted, else nothing."""
        return self.vat_amount if self.vat_netted else Decimal(0)

    @property
    def net_to_transfer(self) -> Decimal:
        return (
            self.collected_total
            - self.commission_total
            - self.vat_deducted
            + self.adjustments_total
        )

    def by_portfolio(self) -> list[Subtotal]:
        """Subtotals per portfolio reference, sorted by reference."""
        return _group(self.lines, lambda line: line.portfolio, lambda key: (0, key))

    def by_bucket(self) -> list[Subtotal]:
        """Subtotals per delinquency bucket, from the least to the most overdue."""
        return _group(self.lines, lambda line: line.bucket, _bucket_order)

    def sorted_lines(self) -> list[RemittanceLine]:
        """The lines as listed in the detail: by portfolio, payment date and account."""
        return sorted(
            self.lines,
            key=lambda line: (
                line.portfolio,
                line.paid_on,
                line.account_reference,
                line.payment_reference,
            ),
        )


def _group(
    lines: Iterable[RemittanceLine],
    key: Callable[[RemittanceLine], str],
    order: Callable[[str], tuple[int, str]],
) -> list[Subtotal]:
    totals: dict[str, tuple[int, Decimal, Decimal]] = {}
    for line in lines:
        count, collected, commission = totals.get(key(line), (0, Decimal(0), Decimal(0)))
        totals[key(line)] = (count + 1, collected + line.collected, commission + line.commission)
    return [Subtotal(name, *totals[name]) for name in sorted(totals, key=order)]


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------


def _split_language(language: str) -> tuple[str, str]:
    base, _sep, region = language.replace("_", "-").partition("-")
    base = base.lower()
    return base, (region.upper() or _DEFAULT_REGION.get(base, ""))


class _Formats:
    """Locale-aware formatting of one remittance's amounts, rates and dates."""

    def __init__(self, remittance: Remittance) -> None:
        base, region = _split_language(remittance.language)
        self.language = (
            base
            if not region or region == _DEFAULT_REGION.get(base)
            else f"{base}-{region.lower()}"
        )
        self.locale = f"{base}_{region}" if region else base
        self.currency = remittance.currency
        self.decimals = get_currency_precision(remittance.currency)

    def money(self, amount: Decimal) -> str:
        return format_currency(amount, self.currency, locale=self.locale)

    def number(self, amount: Decimal) -> str:
        pattern = "#,##0" + ("." + "0" * self.decimals if self.decimals else "")
        return format_decimal(amount, format=pattern, locale=self.locale)

    def percent(self, rate_percent: Decimal) -> str:
        """``21 %`` in Spanish, ``21%`` in English; up to two decimals (``12,5 %``)."""
        pattern = (
            Locale.parse(self.locale).percent_formats[None].pattern.replace("#,##0", "#,##0.##", 1)
        )
        return format_percent(rate_percent / 100, format=pattern, locale=self.locale)

    def date(self, value: dt.date) -> str:
        return format_date(value, format="medium", locale=self.locale)

    def period(self, start: dt.date, end: dt.date) -> str:
        """A whole calendar month reads as "noviembre de 2026"; any other span as a range."""
        following = (end + dt.timedelta(days=1)).day == 1
        if start.day == 1 and following and (start.year, start.month) == (end.year, end.month):
            return format_skeleton("yMMMM", start, locale=self.locale)
        return _("%(start)s to %(end)s") % {"start": self.date(start), "end": self.date(end)}

    def excel_money(self) -> str:
        """An Excel number format with the currency's decimals and symbol placed as in the locale."""
        digits = "#,##0" + ("." + "0" * self.decimals if self.decimals else "")
        symbol = get_currency_symbol(self.currency, locale=self.locale).replace('"', "")
        positive = f'"{symbol}"{digits}' if self.locale.startswith("en") else f'{digits} "{symbol}"'
        return f"{positive};[Red]-{positive}"


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_DRAFT_FONT = Font(bold=True, size=14, color="C00000")
_HEAD_FILL = PatternFill("solid", fgColor="1F3A5F")
_HEAD_FONT = Font(bold=True, color="FFFFFF")
_TOTAL_FILL = PatternFill("solid", fgColor="E8EEF5")
_TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))
_DATE_FORMAT = "dd/mm/yyyy"
_RATE_FORMAT = "0.00%"


class _Sheet:
    """A worksheet plus the cached values of its formula cells (see ``_add_cached_values``)."""

    def __init__(self, sheet: Worksheet, money_format: str) -> None:
        self.ws = sheet
        self.money_format = money_format
        self.cached: dict[str, Decimal] = {}

    def formula(
        self, row: int, column: int, formula: str, value: Decimal, *, money: bool = True
    ) -> None:
        cell = self.ws.cell(row=row, column=column, value=formula)
        if money:
            cell.number_format = self.money_format
        self.cached[cell.coordinate] = value

    def total(
        self, row: int, column: int, first: int, last: int, value: Decimal, *, money: bool = True
    ) -> None:
        """``SUM`` of the rows ``first..last`` above, or the plain value when there are none."""
        if last < first:
            cell = self.ws.cell(row=row, column=column, value=value)
            if money:
                cell.number_format = self.money_format
            return
        letter = get_column_letter(column)
        self.formula(row, column, f"=SUM({letter}{first}:{letter}{last})", value, money=money)

    def money(self, row: int, column: int, value: Decimal) -> None:
        self.ws.cell(row=row, column=column, value=value).number_format = self.money_format

    def header(self, row: int, labels: Sequence[str], *, first_column: int = 1) -> None:
        for offset, label in enumerate(labels):
            cell = self.ws.cell(row=row, column=first_column + offset, value=label)
            cell.font = _HEAD_FONT
            cell.fill = _HEAD_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def total_style(self, row: int, first: int, last: int) -> None:
        for column in range(first, last + 1):
            cell = self.ws.cell(row=row, column=column)
            cell.font = _BOLD
            cell.fill = _TOTAL_FILL
            cell.border = _TOTAL_BORDER

    def widths(self, widths: Sequence[float]) -> None:
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width


def remittance_xlsx(remittance: Remittance) -> bytes:
    """The remittance as a workbook: summary, one row per payment, and the invoice.

    Amounts are numeric cells with the currency's format, dates are date cells. Totals are
    ``SUM`` formulas stored *with* their computed value, so a reader that does not recalculate
    (a previewer, pandas, ``openpyxl`` with ``data_only=True``) sees the same figures as Excel.
    """
    formats = _Formats(remittance)
    with translation.override(formats.language):
        workbook = Workbook()
        first = workbook.active
        assert isinstance(first, Worksheet)
        money_format = formats.excel_money()
        sheets = [
            _xlsx_summary(_Sheet(first, money_format), remittance, formats),
            _xlsx_detail(_Sheet(workbook.create_sheet(), money_format), remittance, formats),
            _xlsx_invoice(_Sheet(workbook.create_sheet(), money_format), remittance, formats),
        ]
        title = _("Remittance %(number)s") % {"number": remittance.number}
        workbook.properties.title = title
        workbook.properties.creator = remittance.agency.name
        workbook.properties.subject = remittance.creditor.name
        workbook.properties.keywords = (
            _("DRAFT") if remittance.is_draft else remittance.invoice_number
        )
        workbook.calculation.fullCalcOnLoad = True
        for sheet in sheets:
            if sheet.ws.oddHeader is not None:
                sheet.ws.oddHeader.center.text = title + (
                    f" · {_('DRAFT')}" if remittance.is_draft else ""
                )
            if sheet.ws.oddFooter is not None:
                sheet.ws.oddFooter.center.text = "&P / &N"
            sheet.ws.page_setup.paperSize = sheet.ws.PAPERSIZE_A4
            sheet.ws.page_setup.fitToWidth = 1
            sheet.ws.page_setup.fitToHeight = 0
            sheet.ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        buffer = io.BytesIO()
        workbook.save(buffer)
    return _add_cached_values(buffer.getvalue(), [sheet.cached for sheet in sheets])


def _xlsx_title(sheet: _Sheet, remittance: Remittance, title: str) -> int:
    """Write the title (and the draft mark); return the next free row."""
    sheet.ws.cell(row=1, column=1, value=title).font = _TITLE
    if remittance.is_draft:
        sheet.ws.cell(row=1, column=5, value=_("DRAFT")).font = _DRAFT_FONT
    return 2


def _xlsx_summary(sheet: _Sheet, remittance: Remittance, formats: _Formats) -> _Sheet:
    ws = sheet.ws
    ws.title = _("Summary")
    row = _xlsx_title(sheet, remittance, _("Remittance statement") + f" {remittance.number}")
    facts: list[tuple[str, Any]] = [
        (_("Creditor"), f"{remittance.creditor.name} · {_('Tax ID')} {remittance.creditor.tax_id}"),
        (_("Agency"), f"{remittance.agency.name} · {_('Tax ID')} {remittance.agency.tax_id}"),
        (_("Period"), formats.period(remittance.period_start, remittance.period_end)),
        (_("Currency"), remittance.currency),
    ]
    for label, value in facts:
        ws.cell(row=row, column=1, value=label).font = _BOLD
        ws.cell(row=row, column=2, value=value)
        row += 1
    ws.freeze_panes = f"A{row}"
    row += 1

    def subtotals(heading: str, key_label: str, groups: list[Subtotal]) -> tuple[str, str]:
        nonlocal row
        ws.cell(row=row, column=1, value=heading).font = Font(bold=True, size=12)
        row += 1
        sheet.header(row, [key_label, _("Payments"), _("Collected"), _("Commission")])
        first = row + 1
        for group in groups:
            row += 1
            ws.cell(row=row, column=1, value=group.key)
            ws.cell(row=row, column=2, value=group.payments)
            sheet.money(row, 3, group.collected)
            sheet.money(row, 4, group.commission)
        row += 1
        last = row - 1
        ws.cell(row=row, column=1, value=_("Total"))
        sheet.total(row, 2, first, last, Decimal(len(remittance.lines)), money=False)
        sheet.total(row, 3, first, last, remittance.collected_total)
        sheet.total(row, 4, first, last, remittance.commission_total)
        sheet.total_style(row, 1, 4)
        totals = (f"C{row}", f"D{row}")
        row += 2
        return totals

    collected_cell, commission_cell = subtotals(
        _("Collections by portfolio"), _("Portfolio"), remittance.by_portfolio()
    )
    subtotals(_("Commission by delinquency bucket"), _("Bucket"), remittance.by_bucket())

    ws.cell(row=row, column=1, value=_("Net settlement")).font = Font(bold=True, size=12)
    row += 1
    sheet.header(row, [_("Description"), "", "", _("Amount")])
    row += 1
    ws.cell(row=row, column=1, value=_("Total collected"))
    sheet.formula(row, 4, f"={collected_cell}", remittance.collected_total)
    collected_row = row
    row += 1
    ws.cell(row=row, column=1, value=_("Collection commission"))
    sheet.formula(row, 4, f"=-{commission_cell}", -remittance.commission_total)
    row += 1
    if remittance.vat_netted:
        vat_label = _("VAT on the commission (%(rate)s)") % {
            "rate": formats.percent(remittance.vat_rate_percent)
        }
        ws.cell(row=row, column=1, value=vat_label)
        sheet.formula(row, 4, "=-Invoice_VAT", -remittance.vat_amount)
        row += 1
    for description, amount in remittance.adjustments:
        ws.cell(
            row=row, column=1, value=_("Adjustments from previous periods") + f": {description}"
        )
        sheet.money(row, 4, amount)
        row += 1
    net_label = (
        _("Net to transfer to the creditor")
        if remittance.net_to_transfer >= 0
        else _("Balance due to the agency")
    )
    ws.cell(row=row, column=1, value=net_label)
    sheet.formula(row, 4, f"=SUM(D{collected_row}:D{row - 1})", remittance.net_to_transfer)
    sheet.total_style(row, 1, 4)
    row += 1
    if remittance.creditor.iban:
        ws.cell(
            row=row,
            column=1,
            value=_("Transfer to IBAN %(iban)s") % {"iban": remittance.creditor.iban},
        )
        row += 1
    ws.cell(row=row + 1, column=1, value=_netting_note(remittance)).alignment = Alignment(
        wrap_text=False
    )
    sheet.widths([46, 12, 18, 18, 14])
    return sheet


def _xlsx_detail(sheet: _Sheet, remittance: Remittance, formats: _Formats) -> _Sheet:
    ws = sheet.ws
    ws.title = _("Detail")
    labels = [
        _("Portfolio"), _("Account"), _("Debtor"), _("Paid on"), _("Payment reference"), _("Bucket"),
        _("Collected"), _("Rate"), _("Commission"),
    ]  # fmt: skip
    sheet.header(1, labels)
    row = 1
    for line in remittance.sorted_lines():
        row += 1
        ws.cell(row=row, column=1, value=line.portfolio)
        ws.cell(row=row, column=2, value=line.account_reference)
        ws.cell(row=row, column=3, value=line.debtor_name or None)
        ws.cell(row=row, column=4, value=line.paid_on).number_format = _DATE_FORMAT
        ws.cell(row=row, column=5, value=line.payment_reference)
        ws.cell(row=row, column=6, value=line.bucket)
        sheet.money(row, 7, line.collected)
        ws.cell(row=row, column=8, value=line.rate_percent / 100).number_format = _RATE_FORMAT
        sheet.money(row, 9, line.commission)
    ws.auto_filter.ref = f"A1:I{max(row, 2)}"
    last = row
    row += 1
    ws.cell(row=row, column=1, value=_("Total"))
    sheet.total(row, 7, 2, last, remittance.collected_total)
    sheet.total(row, 9, 2, last, remittance.commission_total)
    sheet.total_style(row, 1, 9)
    ws.freeze_panes = "A2"
    sheet.widths([14, 16, 30, 13, 20, 10, 15, 9, 15])
    return sheet


def _xlsx_invoice(sheet: _Sheet, remittance: Remittance, formats: _Formats) -> _Sheet:
    from openpyxl.workbook.defined_name import DefinedName

    ws = sheet.ws
    ws.title = _("Invoice")
    row = _xlsx_title(sheet, remittance, _("Invoice") + f" {remittance.invoice_number}")
    issued: Any = remittance.issued_on if remittance.issued_on else _("Draft: not issued")
    facts: list[tuple[str, Any]] = [
        (_("Invoice number"), remittance.invoice_number),
        (_("Issued on"), issued),
        (_("Operations date"), formats.period(remittance.period_start, remittance.period_end)),
    ]
    for label, value in facts:
        ws.cell(row=row, column=1, value=label).font = _BOLD
        cell = ws.cell(row=row, column=2, value=value)
        if isinstance(value, dt.date):
            cell.number_format = _DATE_FORMAT
            cell.alignment = Alignment(horizontal="left")
        row += 1
    row += 1
    for label, party in ((_("Issuer"), remittance.agency), (_("Customer"), remittance.creditor)):
        ws.cell(row=row, column=1, value=label).font = _BOLD
        ws.cell(row=row, column=2, value=party.name)
        ws.cell(row=row + 1, column=2, value=f"{_('Tax ID')}: {party.tax_id}")
        ws.cell(row=row + 2, column=2, value=party.address)
        row += 4
    ws.freeze_panes = "A2"
    sheet.header(row, [_("Description"), _("Amount")])
    row += 1
    ws.cell(row=row, column=1, value=_concept(remittance, formats))
    sheet.money(row, 2, remittance.commission_total)
    base_row = row
    row += 1
    ws.cell(row=row, column=1, value=_("Taxable base"))
    sheet.formula(row, 2, f"=B{base_row}", remittance.commission_total)
    row += 1
    ws.cell(row=row, column=1, value=_("VAT rate"))
    ws.cell(row=row, column=2, value=remittance.vat_rate_percent / 100).number_format = _RATE_FORMAT
    rate_row = row
    row += 1
    ws.cell(
        row=row,
        column=1,
        value=_("VAT %(rate)s") % {"rate": formats.percent(remittance.vat_rate_percent)},
    )
    # Excel's ROUND rounds halves away from zero, like round_half_up.
    sheet.formula(
        row, 2, f"=ROUND(B{base_row}*B{rate_row},{formats.decimals})", remittance.vat_amount
    )
    vat_ref = f"'{ws.title}'!$B${row}"
    row += 1
    ws.cell(row=row, column=1, value=_("Invoice total"))
    sheet.formula(row, 2, f"=B{base_row}+B{row - 1}", remittance.invoice_total)
    sheet.total_style(row, 1, 2)
    row += 2
    ws.cell(row=row, column=1, value=_("Payment terms")).font = _BOLD
    ws.cell(row=row + 1, column=1, value=_invoice_terms(remittance, formats))
    if ws.parent is not None:
        ws.parent.defined_names["Invoice_VAT"] = DefinedName("Invoice_VAT", attr_text=vat_ref)
    sheet.widths([70, 20])
    return sheet


def _add_cached_values(data: bytes, cached: Sequence[dict[str, Decimal]]) -> bytes:
    """Store each formula's computed value in the file (openpyxl writes formulas with no value)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", item.filename)
            if match and int(match.group(1)) <= len(cached):
                values = cached[int(match.group(1)) - 1]

                def fill(found: re.Match[str], values: dict[str, Decimal] = values) -> str:
                    value = values.get(found.group(2))
                    if value is None:
                        return found.group(0)
                    return f"{found.group(1)}<v>{value}</v>"

                text = re.sub(
                    r'(<c r="([A-Z]+\d+)"[^>]*>\s*<f>[^<]*</f>)\s*(?:<v\s*/>|<v></v>)',
                    fill,
                    content.decode("utf-8"),
                )
                content = text.encode("utf-8")
            target.writestr(item, content)
    return target_buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Shared wording
# ---------------------------------------------------------------------------------------------


def _concept(remittance: Remittance, formats: _Formats) -> str:
    return _("Collection management fee, period %(period)s") % {
        "period": formats.period(remittance.period_start, remittance.period_end)
    }


def _netting_note(remittance: Remittance) -> str:
    if remittance.vat_netted:
        return _("The agency's commission and its VAT are deducted from the amount transferred.")
    return _(
        "The agency's commission is deducted from the amount transferred; its VAT is invoiced for separate payment."
    )


def _invoice_terms(remittance: Remittance, formats: _Formats) -> str:
    if remittance.vat_netted:
        return _("Settled by deduction from remittance %(number)s.") % {"number": remittance.number}
    text = _(
        "The commission (%(base)s) is deducted from remittance %(number)s; the VAT (%(vat)s) is payable by transfer."
    ) % {
        "base": formats.money(remittance.commission_total),
        "number": remittance.number,
        "vat": formats.money(remittance.vat_amount),
    }
    if remittance.agency.iban:
        text += " " + _("Pay to IBAN %(iban)s") % {"iban": remittance.agency.iban} + "."
    return text


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_MARGIN = 15 * mm
_WIDTH = A4[0] - 2 * _MARGIN
_INK = colors.HexColor("#1F3A5F")
_ZEBRA = colors.HexColor("#F3F6FA")
_RULE = colors.HexColor("#B8C4D3")


class _Fonts(NamedTuple):
    regular: str
    bold: str
    narrow: str


_fonts_cache: list[_Fonts] = []


def _fonts() -> _Fonts:
    """DejaVu (full Unicode, embedded as a subset) when installed; else the Latin-1 core fonts."""
    if _fonts_cache:
        return _fonts_cache[0]
    files = {
        "AcuerdaSans": "DejaVuSans.ttf",
        "AcuerdaSans-Bold": "DejaVuSans-Bold.ttf",
        "AcuerdaSansCondensed": "DejaVuSansCondensed.ttf",
    }
    try:
        for name, file in files.items():
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(_FONT_DIR / file)))
        fonts = _Fonts("AcuerdaSans", "AcuerdaSans-Bold", "AcuerdaSansCondensed")
    except Exception:  # the font files are missing or unreadable
        fonts = _Fonts("Helvetica", "Helvetica-Bold", "Helvetica")
    _fonts_cache.append(fonts)
    return fonts


def _fit(text: str, width: float, font: str, size: float) -> str:
    """Cut ``text`` with an ellipsis so it fits ``width`` points (table cells never wrap)."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _numbered_canvas(
    decorate: Callable[[Canvas, int, int], None],
) -> type[Canvas]:
    """A canvas that holds pages until the end so each page can say "Page N of M"."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for number, state in enumerate(self._saved, start=1):
                self.__dict__.update(state)
                decorate(self, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def remittance_pdf(remittance: Remittance) -> bytes:
    """The remittance statement, then (from a new page) the invoice, as an A4 PDF."""
    formats = _Formats(remittance)
    with translation.override(formats.language):
        return _PdfBuilder(remittance, formats).build()


class _PdfBuilder:
    def __init__(self, remittance: Remittance, formats: _Formats) -> None:
        self.r = remittance
        self.f = formats
        self.fonts = _fonts()
        regular, bold = self.fonts.regular, self.fonts.bold
        self.body = ParagraphStyle("body", fontName=regular, fontSize=8.5, leading=11)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=7.5, leading=9.5)
        self.label = ParagraphStyle("label", parent=self.small, fontName=bold, textColor=_INK)
        self.title = ParagraphStyle("title", fontName=bold, fontSize=16, leading=20, textColor=_INK)
        self.h2 = ParagraphStyle(
            "h2",
            fontName=bold,
            fontSize=10.5,
            leading=14,
            textColor=_INK,
            spaceBefore=8,
            spaceAfter=4,
        )
        self.right = ParagraphStyle("right", parent=self.body, alignment=TA_RIGHT)

    # -- helpers ---------------------------------------------------------------------------

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style or self.body)

    def party_box(self, heading: str, party: Party, *, with_iban: bool = False) -> list[Paragraph]:
        lines = [party.name, f"{_('Tax ID')}: {party.tax_id}", party.address]
        if with_iban and party.iban:
            lines.append(f"IBAN: {party.iban}")
        bold_name = f"<b>{escape(party.name)}</b>"
        rest = "<br/>".join(escape(line) for line in lines[1:])
        return [
            self.p(heading.upper(), self.label),
            Paragraph(f"{bold_name}<br/>{rest}", self.body),
        ]

    def grid(
        self,
        rows: list[list[Any]],
        widths: Sequence[float],
        *,
        numeric_from: int,
        total_rows: int = 1,
        repeat: int = 1,
        font_size: float = 8,
        font: str | None = None,
    ) -> Table:
        table = Table(rows, colWidths=list(widths), repeatRows=repeat)
        style: list[tuple[Any, ...]] = [
            ("FONTNAME", (0, 0), (-1, -1), font or self.fonts.regular),
            ("FONTSIZE", (0, 0), (-1, -1), font_size),
            ("LEADING", (0, 0), (-1, -1), font_size + 2),
            ("TOPPADDING", (0, 0), (-1, -1), 1.6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("FONTNAME", (0, 0), (-1, 0), self.fonts.bold),
            ("BACKGROUND", (0, 0), (-1, 0), _INK),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
            ("LINEBELOW", (0, -1), (-1, -1), 0.6, _INK),
        ]
        if len(rows) > 1 + total_rows:
            style.append(("ROWBACKGROUNDS", (0, 1), (-1, -1 - total_rows), [colors.white, _ZEBRA]))
        if total_rows:
            style += [
                ("FONTNAME", (0, -total_rows), (-1, -1), self.fonts.bold),
                ("LINEABOVE", (0, -total_rows), (-1, -total_rows), 0.8, _INK),
            ]
        table.setStyle(TableStyle(style))
        return table

    # -- page decoration -------------------------------------------------------------------

    def watermark(self, canvas: Canvas, _document: Any) -> None:
        """Drawn when a page begins, so the draft mark lies under the content."""
        if not self.r.is_draft:
            return
        width, height = A4
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.85, 0.1, 0.1, alpha=0.12))
        canvas.setFont(self.fonts.bold, 96)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, -30, _("DRAFT"))
        canvas.restoreState()

    def decorate(self, canvas: Canvas, page: int, pages: int) -> None:
        """Running header and footer, drawn once the page count is known."""
        width, height = A4
        canvas.saveState()
        canvas.setStrokeColor(_RULE)
        canvas.setLineWidth(0.5)
        canvas.line(_MARGIN, height - _MARGIN + 3 * mm, width - _MARGIN, height - _MARGIN + 3 * mm)
        canvas.line(_MARGIN, _MARGIN - 4 * mm, width - _MARGIN, _MARGIN - 4 * mm)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.setFont(self.fonts.regular, 7)
        canvas.drawString(_MARGIN, height - _MARGIN + 4.5 * mm, self.r.agency.name)
        canvas.drawRightString(
            width - _MARGIN,
            height - _MARGIN + 4.5 * mm,
            f"{_('Remittance statement')} {self.r.number} · {self.r.creditor.name}",
        )
        canvas.drawString(
            _MARGIN,
            _MARGIN - 8 * mm,
            f"{self.r.agency.name} · {_('Tax ID')} {self.r.agency.tax_id} · {self.r.agency.address}",
        )
        canvas.drawRightString(
            width - _MARGIN,
            _MARGIN - 8 * mm,
            _("Page %(page)s of %(pages)s") % {"page": page, "pages": pages},
        )
        canvas.restoreState()

    # -- sections ----------------------------------------------------------------------------

    def build(self) -> bytes:
        story: list[Any] = []
        story += self.statement_header()
        story += self.summary()
        story += self.detail()
        story += self.settlement()
        story.append(PageBreak())
        story += self.invoice()
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=_MARGIN,
            rightMargin=_MARGIN,
            topMargin=_MARGIN + 2 * mm,
            bottomMargin=_MARGIN + 2 * mm,
            title=_("Remittance %(number)s") % {"number": self.r.number},
            author=self.r.agency.name,
            subject=self.r.creditor.name,
            creator="Acuerda",
        )
        document.build(
            story,
            onFirstPage=self.watermark,
            onLaterPages=self.watermark,
            canvasmaker=_numbered_canvas(self.decorate),
        )
        return buffer.getvalue()

    def statement_header(self) -> list[Any]:
        r, f = self.r, self.f
        title = Table(
            [
                [
                    self.p(_("Remittance statement"), self.title),
                    Paragraph(
                        f"<b>{escape(r.number)}</b><br/>{escape(_('Period'))}: "
                        f"{escape(f.period(r.period_start, r.period_end))}<br/>"
                        f"{escape(f.date(r.period_start))} \N{EN DASH} {escape(f.date(r.period_end))}",
                        self.right,
                    ),
                ]
            ],
            colWidths=[_WIDTH * 0.55, _WIDTH * 0.45],
        )
        title.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)])
        )
        parties = Table(
            [
                [
                    self.party_box(_("Agency"), r.agency),
                    self.party_box(_("Creditor"), r.creditor, with_iban=True),
                ]
            ],
            colWidths=[_WIDTH / 2 - 2 * mm, _WIDTH / 2 - 2 * mm],
            spaceBefore=3 * mm,
        )
        parties.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BOX", (0, 0), (0, 0), 0.5, _RULE),
                    ("BOX", (1, 0), (1, 0), 0.5, _RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        return [title, parties, Spacer(1, 2 * mm), self.key_figures()]

    def key_figures(self) -> Table:
        """Four boxes across the page: collected, commission + VAT, adjustments, net."""
        r, f = self.r, self.f
        net_label = (
            _("Net to transfer to the creditor")
            if r.net_to_transfer >= 0
            else _("Balance due to the agency")
        )
        figures = [
            (_("Total collected"), f.money(r.collected_total)),
            (_("Invoice total"), f.money(r.invoice_total)),
            (_("Adjustments from previous periods"), f.money(r.adjustments_total)),
            (net_label, f.money(abs(r.net_to_transfer))),
        ]
        big = ParagraphStyle(
            "big", parent=self.body, fontName=self.fonts.bold, fontSize=11.5, leading=14
        )
        cells = [[[self.p(label, self.small), self.p(value, big)] for label, value in figures]]
        table = Table(cells, colWidths=[_WIDTH / 4] * 4, spaceBefore=2 * mm, spaceAfter=1 * mm)
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-2, 0), _ZEBRA),
                    ("BACKGROUND", (-1, 0), (-1, 0), _INK),
                    ("TEXTCOLOR", (-1, 0), (-1, 0), colors.white),
                    ("LINEAFTER", (0, 0), (-2, 0), 2, colors.white),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        # Paragraph colours ignore TEXTCOLOR: restyle the highlighted box's paragraphs.
        white_small = ParagraphStyle("ws", parent=self.small, textColor=colors.white)
        white_big = ParagraphStyle("wb", parent=big, textColor=colors.white)
        label, value = figures[-1]
        table._cellvalues[0][-1] = [self.p(label, white_small), self.p(value, white_big)]
        return table

    def summary(self) -> list[Any]:
        r, f = self.r, self.f
        widths = [_WIDTH * 0.40, _WIDTH * 0.14, _WIDTH * 0.23, _WIDTH * 0.23]
        story: list[Any] = []
        for heading, key_label, groups in (
            (_("Collections by portfolio"), _("Portfolio"), r.by_portfolio()),
            (_("Commission by delinquency bucket"), _("Bucket"), r.by_bucket()),
        ):
            rows: list[list[Any]] = [[key_label, _("Payments"), _("Collected"), _("Commission")]]
            rows += [
                [g.key, str(g.payments), f.money(g.collected), f.money(g.commission)]
                for g in groups
            ]
            rows.append(
                [
                    _("Total"),
                    str(len(r.lines)),
                    f.money(r.collected_total),
                    f.money(r.commission_total),
                ]
            )
            story.append(
                KeepTogether([self.p(heading, self.h2), self.grid(rows, widths, numeric_from=1)])
            )
        return story

    def detail(self) -> list[Any]:
        r, f = self.r, self.f
        narrow = self.fonts.narrow
        size = 7.0
        currency = f" ({r.currency})"
        widths = [56, 64, 96, 48, 70, 38, 60, 34, 0.0]
        widths[-1] = _WIDTH - sum(widths)
        header = [
            _("Portfolio"), _("Account"), _("Debtor"), _("Paid on"), _("Payment reference"), _("Bucket"),
            _("Collected") + currency, _("Rate"), _("Commission") + currency,
        ]  # fmt: skip
        head_style = ParagraphStyle(
            "detail-head",
            fontName=self.fonts.bold,
            fontSize=size,
            leading=size + 1.5,
            textColor=colors.white,
        )
        head_right = ParagraphStyle("detail-head-right", parent=head_style, alignment=TA_RIGHT)
        rows: list[list[Any]] = [
            [
                self.p(label, head_right if index >= 6 else head_style)
                for index, label in enumerate(header)
            ]
        ]
        room = [w - 6 for w in widths]
        for line in r.sorted_lines():
            rows.append(
                [
                    _fit(line.portfolio, room[0], narrow, size),
                    _fit(line.account_reference, room[1], narrow, size),
                    _fit(line.debtor_name or "—", room[2], narrow, size),
                    format_date(line.paid_on, format="short", locale=f.locale),
                    _fit(line.payment_reference, room[4], narrow, size),
                    _fit(line.bucket, room[5], narrow, size),
                    f.number(line.collected),
                    f.percent(line.rate_percent),
                    f.number(line.commission),
                ]
            )
        if not r.lines:
            return [
                self.p(_("Payments collected"), self.h2),
                self.p(_("No payments in this period.")),
            ]
        rows.append(
            [
                "",
                _("Total"),
                "",
                "",
                "",
                "",
                f.number(r.collected_total),
                "",
                f.number(r.commission_total),
            ]
        )
        table = self.grid(rows, widths, numeric_from=6, font_size=size, font=narrow)
        table.setStyle(TableStyle([("ALIGN", (3, 0), (5, -1), "CENTER")]))
        return [CondPageBreak(40 * mm), self.p(_("Payments collected"), self.h2), table]

    def settlement(self) -> list[Any]:
        r, f = self.r, self.f
        rows: list[list[Any]] = [[_("Description"), _("Amount")]]
        rows.append([_("Total collected"), f.money(r.collected_total)])
        rows.append([_("Collection commission"), f.money(-r.commission_total)])
        if r.vat_netted:
            vat_label = _("VAT on the commission (%(rate)s)") % {
                "rate": f.percent(r.vat_rate_percent)
            }
            rows.append([vat_label, f.money(-r.vat_amount)])
        for description, amount in r.adjustments:
            rows.append(
                [
                    Paragraph(
                        escape(f"{_('Adjustments from previous periods')}: {description}"),
                        self.body,
                    ),
                    f.money(amount),
                ]
            )
        if not r.adjustments:
            rows.append([_("Adjustments from previous periods"), f.money(Decimal(0))])
        net = r.net_to_transfer
        label = _("Net to transfer to the creditor") if net >= 0 else _("Balance due to the agency")
        rows.append([label, f.money(abs(net))])
        table = self.grid(rows, [_WIDTH * 0.72, _WIDTH * 0.28], numeric_from=1, font_size=9)
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, -1), (-1, -1), _ZEBRA),
                    ("FONTSIZE", (0, -1), (-1, -1), 11),
                    ("LEADING", (0, -1), (-1, -1), 14),
                    ("TOPPADDING", (0, 1), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 1), (-1, -1), 3),
                ]
            )
        )
        story: list[Any] = [self.p(_("Net settlement"), self.h2), table, Spacer(1, 2 * mm)]
        if net >= 0 and r.creditor.iban:
            transfer = _("Transfer to IBAN %(iban)s") % {"iban": r.creditor.iban}
            story.append(self.p(f"{transfer} · {r.creditor.name}"))
        elif net < 0 and r.agency.iban:
            transfer = _("Pay to IBAN %(iban)s") % {"iban": r.agency.iban}
            story.append(self.p(f"{transfer} · {r.agency.name}"))
        story.append(self.p(_netting_note(r), self.small))
        return [KeepTogether(story)]

    def invoice(self) -> list[Any]:
        r, f = self.r, self.f
        issued = f.date(r.issued_on) if r.issued_on else _("Draft: not issued")
        head = Table(
            [
                [
                    self.p(_("Invoice"), self.title),
                    Paragraph(
                        f"{escape(_('Invoice number'))}: <b>{escape(r.invoice_number)}</b><br/>"
                        f"{escape(_('Issued on'))}: {escape(issued)}<br/>"
                        f"{escape(_('Operations date'))}: {escape(f.period(r.period_start, r.period_end))}",
                        self.right,
                    ),
                ]
            ],
            colWidths=[_WIDTH * 0.5, _WIDTH * 0.5],
        )
        head.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)])
        )
        parties = Table(
            [[self.party_box(_("Issuer"), r.agency), self.party_box(_("Customer"), r.creditor)]],
            colWidths=[_WIDTH / 2 - 2 * mm, _WIDTH / 2 - 2 * mm],
            spaceBefore=4 * mm,
            spaceAfter=6 * mm,
        )
        parties.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BOX", (0, 0), (0, 0), 0.5, _RULE),
                    ("BOX", (1, 0), (1, 0), 0.5, _RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                    ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        concept = Paragraph(
            f"{escape(_concept(r, f))}<br/><font size=7.5>{escape(_('Remittance %(number)s') % {'number': r.number})}"
            f" · {len(r.lines)} {escape(_('Payments').lower())} · {escape(_('Total collected').lower())} "
            f"{escape(f.money(r.collected_total))}</font>",
            self.body,
        )
        lines = Table(
            [[_("Description"), _("Amount")], [concept, f.money(r.commission_total)]],
            colWidths=[_WIDTH * 0.75, _WIDTH * 0.25],
        )
        lines.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.fonts.regular),
                    ("FONTNAME", (0, 0), (-1, 0), self.fonts.bold),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("BACKGROUND", (0, 0), (-1, 0), _INK),
                    ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                    ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 1), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 1), (-1, -1), 8),
                    ("LINEBELOW", (0, -1), (-1, -1), 0.5, _RULE),
                ]
            )
        )
        rate = f.percent(r.vat_rate_percent)
        totals = Table(
            [
                [_("Taxable base"), f.money(r.commission_total)],
                [_("VAT %(rate)s") % {"rate": rate}, f.money(r.vat_amount)],
                [_("Invoice total"), f.money(r.invoice_total)],
            ],
            colWidths=[_WIDTH * 0.25, _WIDTH * 0.25],
            hAlign="RIGHT",
            spaceBefore=4 * mm,
        )
        totals.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.fonts.regular),
                    ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                    ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                    ("FONTNAME", (0, -1), (-1, -1), self.fonts.bold),
                    ("FONTSIZE", (0, -1), (-1, -1), 11),
                    ("BACKGROUND", (0, -1), (-1, -1), _ZEBRA),
                    ("LINEABOVE", (0, -1), (-1, -1), 0.8, _INK),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        terms = [
            Spacer(1, 10 * mm),
            self.p(_("Payment terms"), self.label),
            self.p(_invoice_terms(r, f)),
        ]
        return [head, parties, lines, totals, *terms]
