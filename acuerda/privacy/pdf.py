"""The subject access report as a PDF (reportlab), in the debtor's language.

Built from the same dictionary as the JSON export, so both always say the same. Pages are not
compressed: the report is small, and an uncompressed PDF can be searched and checked as text.
The standard Helvetica font covers Latin-1 (Spanish, Portuguese, English); text in other scripts
would need an embedded TrueType font.
"""

from __future__ import annotations

import io
import json
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Model
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from acuerda.debtors.models import ContactPoint, Debtor

_MARGIN = 18 * mm
_WIDTH = A4[0] - 2 * _MARGIN
_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def subject_access_pdf_render(data: dict[str, Any], *, language: str = "es") -> bytes:
    """Render ``selectors.subject_access_data`` output as a PDF."""
    with translation.override(language):
        return _render(data)


def _render(data: dict[str, Any]) -> bytes:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7, leading=9)
    story: list[Any] = []

    def para(text: Any, style: Any = small) -> Paragraph:
        return Paragraph(escape(_text(text)), style)

    def heading(text: str, level: int = 2) -> None:
        story.append(Paragraph(escape(text), styles[f"Heading{level}"]))

    def table(header: list[str], rows: list[list[Any]], widths: list[float] | None = None) -> None:
        if not rows:
            story.append(para(_("None.")))
            return
        cells = [[para(h) for h in header], *[[para(v) for v in row] for row in rows]]
        grid = Table(cells, colWidths=widths or [_WIDTH / len(header)] * len(header), repeatRows=1)
        grid.setStyle(_GRID)
        story.append(grid)

    def pairs(values: dict[str, Any], model: type[Model] | None = None) -> None:
        if model is not None:
            labels = {f.attname: str(f.verbose_name) for f in model._meta.concrete_fields}
            values = {labels.get(key, key): value for key, value in values.items()}
        table(
            [_("Field"), _("Value")],
            [[key, value] for key, value in values.items()],
            widths=[50 * mm, _WIDTH - 50 * mm],
        )

    story.append(Paragraph(escape(_("Personal data held about you")), styles["Title"]))
    story.append(
        para(
            _(
                "Generated on %(when)s. This report lists every record we hold about you, across every creditor "
                "whose accounts we manage (GDPR art. 15)."
            )
            % {"when": data["generated_at"]},
            styles["BodyText"],
        )
    )
    story.append(Spacer(1, 4 * mm))

    heading(_("Identity"))
    pairs(data["subject"], Debtor)

    heading(_("Contact points"))
    for point in data["contact_points"]:
        heading(f"{point.get('kind', '')}: {point.get('value', '')}", 3)
        pairs({k: v for k, v in point.items() if k not in ("consents", "related")}, ContactPoint)
        story.append(para(_("Consents")))
        table(
            [_("Channel"), _("Granted"), _("Recorded at"), _("Evidence")],
            [
                [c["channel"], c["granted"], c["recorded_at"], c["evidence"]]
                for c in point["consents"]
            ],
        )
        _related(point["related"], heading, table)
    if not data["contact_points"]:
        story.append(para(_("None.")))

    heading(_("Accounts"))
    for account in data["accounts"]:
        heading(f"{account['creditor']['legal_name']} · {account['creditor_reference']}", 3)
        pairs(
            {
                _(
                    "Creditor"
                ): f"{account['creditor']['legal_name']} ({account['creditor']['code']})",
                _("Portfolio"): account["portfolio"],
                _("Your role"): account["subject_role"],
                _("Product"): account["product"],
                _("Currency"): account["currency"],
                _("Original amounts"): account["original"],
                _("Balance"): account["balance"],
                _("First unpaid due date"): account["first_unpaid_due_on"],
                _("Status"): account["status"],
                _("Status changed at"): account["status_changed_at"],
                _("Parties"): account["parties"],
            }
        )
        story.append(para(_("Ledger entries")))
        table(
            [
                _("Effective on"),
                _("Kind"),
                _("Principal"),
                _("Interest"),
                _("Fees"),
                _("Total"),
                _("Memo"),
            ],
            [
                [
                    e["effective_on"],
                    e["kind"],
                    e["principal"],
                    e["interest"],
                    e["fees"],
                    e["total"],
                    e["memo"],
                ]
                for e in account["ledger"]
            ],
        )
        story.append(para(_("Events")))
        table(
            [_("At"), _("Kind"), _("Reason"), _("Status"), _("Details")],
            [
                [
                    e["at"],
                    e["kind"],
                    e["reason"],
                    f"{e['from_status']} > {e['to_status']}".strip(" >"),
                    e["data"],
                ]
                for e in account["events"]
            ],
            widths=[30 * mm, 22 * mm, 50 * mm, 28 * mm, _WIDTH - 130 * mm],
        )
        _related(account["related"], heading, table)
    if not data["accounts"]:
        story.append(para(_("None.")))

    heading(_("Who accessed your data"))
    table(
        [_("At"), _("Role"), _("Through"), _("Purpose")],
        [[a["at"], a["by_role"], a["via"], a["purpose"]] for a in data["access_log"]],
    )

    _related(data["related"], heading, table)

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN,
        title=_("Personal data held about you"),
        author="Acuerda",
        pageCompression=0,
    )
    document.build(story)
    return buffer.getvalue()


def _related(related: dict[str, list[dict[str, Any]]], heading: Any, table: Any) -> None:
    """Rows of other tables (found through the data model's relations), one table each."""
    for label, rows in related.items():
        if not rows:
            continue
        heading(_("Other records: %(table)s") % {"table": label}, 3)
        columns = list(rows[0].keys())
        table(columns, [[row.get(c) for c in columns] for row in rows])
