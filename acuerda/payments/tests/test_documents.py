"""The remittance statement and fee invoice: arithmetic, workbook and PDF (no database)."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pypdfium2 as pdfium
import pytest
from babel.numbers import format_currency

from acuerda.payments.documents import (
    Party,
    Remittance,
    RemittanceLine,
    Subtotal,
    remittance_pdf,
    remittance_xlsx,
    round_half_up,
)

CREDITOR = Party(
    name="Banco Ejemplo S.A.",
    tax_id="A12345674",
    address="Calle de Alcalá 48, 28014 Madrid",
    iban="ES91 2100 0418 4502 0005 1332",
)
AGENCY = Party(
    name="Recobros Acuerda S.L.",
    tax_id="B87654321",
    address="Gran Vía 45, 28013 Madrid",
    iban="ES79 2100 0813 6101 2345 6789",
)
BUCKETS = (("31-90", Decimal("12")), ("91-180", Decimal("18.5")), ("181+", Decimal("25")))
NBSP = re.compile("[\u00a0\u202f]")


def _lines(count: int, *, currency_decimals: int = 2, scale: int = 1) -> tuple[RemittanceLine, ...]:
    cent = Decimal(1).scaleb(-currency_decimals)
    lines = []
    for i in range(count):
        bucket, rate = BUCKETS[i % 3]
        collected = (Decimal(95 + (i * 137) % 900) + Decimal(i % 100) / 100) * scale
        collected = collected.quantize(cent)
        lines.append(
            RemittanceLine(
                portfolio=("ES-2026-01", "ES-2026-07")[i % 2],
                account_reference=f"LN-{i:06d}",
                debtor_name="" if i % 5 == 0 else f"Deudor Núñez {i}",
                paid_on=dt.date(2026, 11, 1 + i % 30),
                payment_reference=f"TRF-2026-{i:07d}",
                bucket=bucket,
                collected=collected,
                rate_percent=rate,
                commission=(collected * rate / 100).quantize(cent, rounding=ROUND_HALF_UP),
            )
        )
    return tuple(lines)


def _remittance(**changes: object) -> Remittance:
    values: dict[str, object] = {
        "number": "REM-2026-11-bank-es",
        "creditor": CREDITOR,
        "agency": AGENCY,
        "period_start": dt.date(2026, 11, 1),
        "period_end": dt.date(2026, 11, 30),
        "currency": "EUR",
        "lines": _lines(25),
        "adjustments": (("Devolución del pago TRF-2026-0000999 (octubre)", Decimal("-120.50")),),
        "vat_rate_percent": Decimal("21"),
        "invoice_number": "FA-2026-000112",
        "issued_on": dt.date(2026, 12, 2),
    }
    values.update(changes)
    return Remittance(**values)  # type: ignore[arg-type]


def _clp() -> Remittance:
    return _remittance(
        number="REM-2026-11-retail-cl",
        currency="CLP",
        lines=_lines(12, currency_decimals=0, scale=1000),
        adjustments=(("Ajuste octubre", Decimal("-15000")),),
        vat_rate_percent=Decimal("19"),
        invoice_number="FA-CL-2026-0042",
        language="es-CL",
    )


def _pdf_text(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    try:
        return [_plain(document[i].get_textpage().get_text_range()) for i in range(len(document))]
    finally:
        document.close()


def _plain(text: str) -> str:
    """Text with no-break spaces and line breaks (table headers wrap) as single spaces."""
    return re.sub(r"\s+", " ", NBSP.sub(" ", text))


@pytest.fixture(scope="module")
def sample() -> Remittance:
    return _remittance()


@pytest.fixture(scope="module")
def sample_pdf(sample: Remittance) -> bytes:
    return remittance_pdf(sample)


# -- arithmetic ------------------------------------------------------------------------------


def test_totals_are_exact_decimal_sums(sample: Remittance) -> None:
    collected = sum((line.collected for line in sample.lines), Decimal(0))
    commission = sum((line.commission for line in sample.lines), Decimal(0))
    vat = (commission * Decimal("0.21")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert sample.collected_total == collected
    assert sample.commission_total == commission
    assert sample.vat_amount == vat
    assert sample.invoice_total == commission + vat
    assert sample.adjustments_total == Decimal("-120.50")
    assert sample.net_to_transfer == collected - commission - vat - Decimal("120.50")
    for value in (sample.collected_total, sample.vat_amount, sample.net_to_transfer):
        assert isinstance(value, Decimal)
        assert value.as_tuple().exponent == -2


def test_subtotals_by_portfolio_and_bucket_add_up(sample: Remittance) -> None:
    portfolios = sample.by_portfolio()
    buckets = sample.by_bucket()
    assert [p.key for p in portfolios] == ["ES-2026-01", "ES-2026-07"]
    assert [b.key for b in buckets] == ["31-90", "91-180", "181+"]  # by days overdue, not by text
    assert portfolios[0] == ("ES-2026-01", 13, portfolios[0].collected, portfolios[0].commission)
    for groups in (portfolios, buckets):
        assert all(isinstance(g, Subtotal) for g in groups)
        assert sum(g.payments for g in groups) == 25
        assert sum((g.collected for g in groups), Decimal(0)) == sample.collected_total
        assert sum((g.commission for g in groups), Decimal(0)) == sample.commission_total


def test_vat_rounds_half_up_on_the_commission_total() -> None:
    line = RemittanceLine(
        "P",
        "A",
        "",
        dt.date(2026, 11, 3),
        "T",
        "0-30",
        Decimal("5.00"),
        Decimal("10"),
        Decimal("0.50"),
    )
    remittance = _remittance(lines=(line,), adjustments=())
    assert remittance.vat_amount == Decimal("0.11")  # 0.105: half-even would give 0.10
    assert round_half_up(Decimal("2345.5"), "CLP") == Decimal("2346")
    assert round_half_up(Decimal("-0.125"), "EUR") == Decimal("-0.13")


def test_vat_not_netted_leaves_it_out_of_the_transfer(sample: Remittance) -> None:
    gross = _remittance(vat_netted=False)
    assert gross.vat_amount == sample.vat_amount
    assert gross.net_to_transfer == sample.net_to_transfer + sample.vat_amount
    assert (
        gross.net_to_transfer
        == gross.collected_total - gross.commission_total + gross.adjustments_total
    )


def test_clp_has_no_decimals() -> None:
    clp = _clp()
    assert clp.vat_amount == round_half_up(clp.commission_total * Decimal("0.19"), "CLP")
    assert clp.vat_amount.as_tuple().exponent == 0
    assert (
        clp.net_to_transfer == clp.collected_total - clp.commission_total - clp.vat_amount - 15000
    )


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"currency": "XXY"}, ValueError),
        ({"period_end": dt.date(2026, 10, 31)}, ValueError),
        ({"language": "fr"}, ValueError),
        ({"adjustments": (("float", 1.5),)}, TypeError),
        ({"adjustments": (("too precise", Decimal("1.005")),)}, ValueError),
        ({"currency": "CLP"}, ValueError),  # the EUR lines carry cents
    ],
)
def test_inconsistent_data_is_refused(changes: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        _remittance(**changes)


# -- XLSX ------------------------------------------------------------------------------------


def _sum_range(sheet: openpyxl.worksheet.worksheet.Worksheet, formula: str) -> Decimal:
    """Evaluate ``=SUM(X1:X9)`` over the stored values of ``sheet``."""
    match = re.fullmatch(r"=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)", formula)
    assert match, formula
    column, first, _column, last = match.groups()
    return sum(
        (
            Decimal(str(sheet[f"{column}{row}"].value or 0))
            for row in range(int(first), int(last) + 1)
        ),
        Decimal(0),
    )


def test_xlsx_values_and_totals_match_the_dataclass(sample: Remittance) -> None:
    data = remittance_xlsx(sample)
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    formulas = openpyxl.load_workbook(io.BytesIO(data))
    assert values.sheetnames == ["Resumen", "Detalle", "Factura"]

    detail = values["Detalle"]
    assert detail.freeze_panes == "A2"
    assert detail["D1"].value == "Fecha de pago"
    rows = list(detail.iter_rows(min_row=2, max_row=26, values_only=True))
    assert sorted(Decimal(str(row[6])) for row in rows) == sorted(
        line.collected for line in sample.lines
    )
    assert isinstance(detail["D2"].value, dt.datetime)
    assert detail["D2"].is_date
    assert isinstance(detail["G2"].value, float | int)
    assert "€" in detail["G2"].number_format and "0.00" in detail["G2"].number_format
    total_row = 27
    assert detail[f"A{total_row}"].value == "Total"
    assert Decimal(str(detail[f"G{total_row}"].value)) == sample.collected_total
    assert Decimal(str(detail[f"I{total_row}"].value)) == sample.commission_total
    # The same cells are real formulas, and each formula's range adds up to the stored value.
    formula_detail = formulas["Detalle"]
    assert formula_detail[f"G{total_row}"].value == f"=SUM(G2:G{total_row - 1})"
    assert _sum_range(detail, formula_detail[f"G{total_row}"].value) == sample.collected_total

    summary = {
        _plain(row[0]): row for row in values["Resumen"].iter_rows(values_only=True) if row[0]
    }
    assert Decimal(str(summary["Neto a transferir al acreedor"][3])) == sample.net_to_transfer
    assert Decimal(str(summary["Total cobrado"][3])) == sample.collected_total
    assert Decimal(str(summary["Comisión de gestión de cobro"][3])) == -sample.commission_total
    assert Decimal(str(summary["IVA sobre la comisión (21 %)"][3])) == -sample.vat_amount
    assert Decimal(str(summary["ES-2026-01"][2])) == sample.by_portfolio()[0].collected
    assert Decimal(str(summary["181+"][3])) == sample.by_bucket()[2].commission
    formula_summary = formulas["Resumen"]
    sums = [
        c for row in formula_summary.iter_rows() for c in row if str(c.value).startswith("=SUM(")
    ]
    assert len(sums) >= 7
    for cell in sums:
        assert Decimal(str(values["Resumen"][cell.coordinate].value)) == _sum_range(
            values["Resumen"], cell.value
        )

    invoice = {
        _plain(row[0]): row[1] for row in values["Factura"].iter_rows(values_only=True) if row[0]
    }
    assert invoice["Número de factura"] == "FA-2026-000112"
    assert invoice["Fecha de emisión"].date() == dt.date(2026, 12, 2)
    assert Decimal(str(invoice["Base imponible"])) == sample.commission_total
    assert Decimal(str(invoice["IVA 21 %"])) == sample.vat_amount
    assert Decimal(str(invoice["Total factura"])) == sample.invoice_total
    # The VAT is recomputed by Excel with ROUND, which rounds halves up like the dataclass.
    vat_formulas = [
        c.value
        for row in formulas["Factura"].iter_rows()
        for c in row
        if str(c.value).startswith("=ROUND(")
    ]
    assert vat_formulas == ["=ROUND(B15*B17,2)"]


def test_xlsx_in_english_and_in_clp() -> None:
    english = openpyxl.load_workbook(
        io.BytesIO(remittance_xlsx(_remittance(language="en"))), data_only=True
    )
    assert english.sheetnames == ["Summary", "Detail", "Invoice"]
    assert english["Detail"]["E1"].value == "Payment reference"
    labels = [row[0] for row in english["Summary"].iter_rows(values_only=True)]
    assert "Net to transfer to the creditor" in labels

    clp = _clp()
    workbook = openpyxl.load_workbook(io.BytesIO(remittance_xlsx(clp)), data_only=True)
    detail = workbook["Detalle"]
    assert "." not in detail["G2"].number_format.split(";")[0].replace("#,##0", "")  # no decimals
    summary = {row[0]: row for row in workbook["Resumen"].iter_rows(values_only=True) if row[0]}
    assert Decimal(str(summary["Neto a transferir al acreedor"][3])) == clp.net_to_transfer


def test_xlsx_draft_is_marked_only_when_not_issued() -> None:
    def texts(remittance: Remittance) -> str:
        workbook = openpyxl.load_workbook(io.BytesIO(remittance_xlsx(remittance)))
        return " ".join(
            str(value)
            for sheet in workbook
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value
        )

    assert "BORRADOR" in texts(_remittance(issued_on=None))
    assert "BORRADOR" not in texts(_remittance())
    assert "DRAFT" in texts(_remittance(issued_on=None, language="en"))


# -- PDF -------------------------------------------------------------------------------------


def test_pdf_is_a_statement_followed_by_the_invoice_page(
    sample: Remittance, sample_pdf: bytes
) -> None:
    assert sample_pdf.startswith(b"%PDF")
    pages = _pdf_text(sample_pdf)
    assert len(pages) >= 2
    assert "Página 1 de " + str(len(pages)) in pages[0]
    assert "Rendición de cuentas" in pages[0]
    assert "Recobros Acuerda S.L." in pages[0] and "A12345674" in pages[0]
    everything = "\n".join(pages)
    net = _plain(format_currency(sample.net_to_transfer, "EUR", locale="es_ES"))
    assert net in everything
    assert sample.creditor.iban in everything
    # The invoice has a page of its own: the last one, and nothing of the statement on it.
    invoice = pages[-1]
    assert "FA-2026-000112" in invoice
    assert "Comisión de gestión de cobro, periodo noviembre de 2026" in invoice
    for amount in (sample.commission_total, sample.vat_amount, sample.invoice_total):
        assert _plain(format_currency(amount, "EUR", locale="es_ES")) in invoice
    assert "B87654321" in invoice and "A12345674" in invoice
    assert "Detalle de cobros" not in invoice and "Neto a transferir" not in invoice
    assert "Base imponible" not in "\n".join(pages[:-1])


def test_pdf_first_page_renders_as_a_real_document(sample_pdf: bytes) -> None:
    document = pdfium.PdfDocument(sample_pdf)
    try:
        image = document[0].render(scale=1).to_pil().convert("L")
    finally:
        document.close()
    assert abs(image.size[0] - 595) <= 1 and abs(image.size[1] - 842) <= 1  # A4 at 72 dpi
    histogram = image.histogram()
    ink = sum(histogram[:200]) / (image.size[0] * image.size[1])
    assert ink > 0.03, f"only {ink:.1%} of page 1 is ink"


def test_pdf_draft_watermark_only_when_not_issued() -> None:
    draft = _pdf_text(remittance_pdf(_remittance(issued_on=None)))
    assert all("BORRADOR" in page for page in draft)
    assert "Borrador: no emitida" in draft[-1]
    issued = "\n".join(_pdf_text(remittance_pdf(_remittance())))
    assert "BORRADOR" not in issued and "Borrador" not in issued


def test_pdf_in_english() -> None:
    remittance = _remittance(language="en", issued_on=None)
    pages = _pdf_text(remittance_pdf(remittance))
    assert "Remittance statement" in pages[0]
    assert "Page 1 of " + str(len(pages)) in pages[0]
    assert "DRAFT" in pages[0]
    assert _plain(format_currency(remittance.net_to_transfer, "EUR", locale="en_GB")) in "\n".join(
        pages
    )
    assert "Collection management fee, period November 2026" in pages[-1]
    assert "Rendición" not in "\n".join(pages)


def test_pdf_clp_formats_pesos_without_decimals() -> None:
    clp = _clp()
    pages = _pdf_text(remittance_pdf(clp))
    net = _plain(format_currency(clp.net_to_transfer, "CLP", locale="es_CL"))
    assert net.startswith("$") and "," not in net
    assert net in "\n".join(pages)
    assert re.search(r"IVA 19 ?%", pages[-1])


def test_pdf_with_no_payments_still_renders() -> None:
    pages = _pdf_text(remittance_pdf(_remittance(lines=(), adjustments=())))
    assert "Sin cobros en este periodo." in "\n".join(pages)
    assert len(pages) >= 2


def test_a_large_remittance_is_fast_and_repeats_the_table_header() -> None:
    remittance = _remittance(lines=_lines(3000))
    started = time.perf_counter()
    data = remittance_pdf(remittance)
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"{elapsed:.1f} s"
    pages = _pdf_text(data)
    assert len(pages) > 40
    detail_pages = [page for page in pages[1:-1] if "LN-" in page]
    assert len(detail_pages) > 30
    assert all("Referencia de pago" in page and "Comisión" in page for page in detail_pages)
    assert f"Página {len(pages)} de {len(pages)}" in pages[-1]
    assert _plain(format_currency(remittance.net_to_transfer, "EUR", locale="es_ES")) in "\n".join(
        pages[-4:]
    )

    started = time.perf_counter()
    workbook = openpyxl.load_workbook(io.BytesIO(remittance_xlsx(remittance)), data_only=True)
    assert time.perf_counter() - started < 10
    assert Decimal(str(workbook["Detalle"]["G3002"].value)) == remittance.collected_total
