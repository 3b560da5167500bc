"""The printable receipt (recibo) handed to a debtor who paid in person or over the phone."""

from __future__ import annotations

import io
from typing import Any

from babel.numbers import format_currency
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from acuerda.payments.documents import _fonts
from acuerda.payments.models import Payment


def receipt_pdf(payment: Payment, *, language: str = "es", allocations: Any = None) -> bytes:
    """A5 landscape: the agency, the receipt number, who paid what and when, and the accounts
    it was applied to."""
    fonts = _fonts()
    locale = "es_ES" if language.startswith("es") else "en_GB"
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=landscape(A5))
    width, height = landscape(A5)
    with translation.override(language):
        y = height - 18 * mm
        page.setFont(fonts.bold, 16)
        page.drawString(15 * mm, y, _("Payment receipt"))
        page.setFont(fonts.regular, 10)
        page.drawRightString(width - 15 * mm, y, f"{_('Receipt')} {payment.receipt_number or payment.pk}")
        y -= 7 * mm
        page.drawString(15 * mm, y, f"{settings.ACUERDA_AGENCY_NAME} · {settings.ACUERDA_AGENCY_TAX_ID} · "
                                    f"{settings.ACUERDA_AGENCY_ADDRESS}")
        y -= 12 * mm
        debtor = payment.debtor
        rows = [
            (_("Received from"), f"{debtor.display_name} ({debtor.id_type} {debtor.id_number})"),
            (_("Amount"), format_currency(payment.amount, payment.currency, locale=locale)),
            (_("Date"), payment.received_on.strftime("%d/%m/%Y")),
            (_("Method"), str(payment.get_method_display())),
            (_("Reference"), payment.reference or "—"),
        ]
        for label, value in rows:
            page.setFont(fonts.bold, 10)
            page.drawString(15 * mm, y, label)
            page.setFont(fonts.regular, 10)
            page.drawString(55 * mm, y, value)
            y -= 7 * mm
        y -= 3 * mm
        page.setFont(fonts.bold, 10)
        page.drawString(15 * mm, y, _("Applied to"))
        y -= 6 * mm
        page.setFont(fonts.regular, 9)
        shown = payment.allocations.all() if allocations is None else allocations
        for allocation in shown.select_related("account__portfolio__creditor"):
            account = allocation.account
            page.drawString(20 * mm, y, f"{account.portfolio.creditor.legal_name} · {account.creditor_reference}")
            page.drawRightString(width - 15 * mm, y, format_currency(allocation.amount, payment.currency, locale=locale))
            y -= 5 * mm
        if payment.status == "reversed":
            page.setFont(fonts.bold, 12)
            page.drawString(15 * mm, 15 * mm, _("This payment was reversed: %(reason)s") % {"reason": payment.reversal_reason})
        page.setFont(fonts.regular, 8)
        page.drawString(15 * mm, 8 * mm, _("Registered by %(who)s on %(when)s.") % {
            "who": payment.registered_by.get_full_name() or payment.registered_by.username if payment.registered_by
            else _("the system"), "when": payment.registered_at.strftime("%d/%m/%Y %H:%M")})
    page.showPage()
    page.save()
    return buffer.getvalue()
