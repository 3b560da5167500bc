"""Payment pages: register a payment (with its printable receipt), the bank statements and the
reconciliation queue, and the remittances to creditors (build, review, issue, download)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from acuerda.core.http import AuthenticatedHttpRequest
from acuerda.creditors.models import Creditor
from acuerda.debtors.choices import DataAccessChannel
from acuerda.debtors.services import personal_data_access_log
from acuerda.debts.models import Account
from acuerda.payments.choices import LINE_OPEN, PaymentSource, RemittanceStatus
from acuerda.payments.forms import (
    PaymentForm,
    RemittanceBuildForm,
    ResolveForm,
    StatementUploadForm,
)
from acuerda.payments.models import (
    BankStatement,
    Payment,
    PaymentAllocation,
    Remittance,
    StatementLine,
)
from acuerda.payments.services import PaymentError, payment_register

REGISTER = "payments.register_payment"
RECONCILE = "payments.reconcile_statement"
ISSUE = "payments.issue_remittance"


@login_required
@permission_required("payments.view_payment", raise_exception=True)
@require_GET
def payment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    visible = Prefetch("allocations", queryset=PaymentAllocation.objects.for_user(request.user).select_related("account"))
    rows = (Payment.objects.for_user(request.user).select_related("debtor", "registered_by")
            .prefetch_related(visible).order_by("-registered_at")[:100])
    return render(request, "payments/list.html", {"rows": rows})


@login_required
@permission_required(REGISTER, raise_exception=True)
@require_http_methods(["GET", "POST"])
def payment_new(request: AuthenticatedHttpRequest, account_pk: int) -> HttpResponse:
    """Register a payment for an account (the rest, if any, goes to the debtor's other accounts)."""
    account = get_object_or_404(Account.objects.for_user(request.user).select_related("debtor", "portfolio__creditor"),
                                pk=account_pk)
    form = PaymentForm(request.POST or None, initial={"received_on": timezone.localdate(), "method": "transfer",
                                                       "token": secrets.token_urlsafe(16)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = payment_register(
                debtor=account.debtor, amount=data["amount"], currency=account.currency,
                received_on=data["received_on"], method=data["method"], source=PaymentSource.MANUAL,
                idempotency_key=f"form:{request.user.pk}:{data['token']}", actor=request.user, account=account,
                reference=data["reference"], payer_name=data["payer_name"],
            )
        except PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Payment registered."))
            return redirect("payments:detail", pk=payment.pk)
    return render(request, "payments/new.html", {"form": form, "account": account},
                  status=400 if request.method == "POST" else 200)


@login_required
@permission_required("payments.view_payment", raise_exception=True)
@require_GET
def payment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(Payment.objects.for_user(request.user).select_related("debtor", "registered_by"), pk=pk)
    personal_data_access_log(user=request.user, debtor=payment.debtor, via=DataAccessChannel.PAGE, path=request.path,
                             purpose="Payment")
    allocations = PaymentAllocation.objects.for_user(request.user).filter(payment=payment).select_related(
        "account__portfolio__creditor", "entry")
    return render(request, "payments/detail.html", {"payment": payment, "allocations": allocations})


@login_required
@permission_required("payments.view_payment", raise_exception=True)
@require_GET
def payment_receipt(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    from acuerda.payments.receipts import receipt_pdf

    payment = get_object_or_404(Payment.objects.for_user(request.user).select_related("debtor", "registered_by"), pk=pk)
    personal_data_access_log(user=request.user, debtor=payment.debtor, via=DataAccessChannel.PAGE, path=request.path,
                             purpose="Payment receipt")
    visible = PaymentAllocation.objects.for_user(request.user).filter(payment=payment)
    response = HttpResponse(receipt_pdf(payment, language=payment.debtor.preferred_language or "es", allocations=visible),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{payment.receipt_number or payment.pk}.pdf"'
    return response


# --------------------------------------------------------------------------------------------
# Statements and reconciliation
# --------------------------------------------------------------------------------------------


@login_required
@permission_required(RECONCILE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def reconciliation(request: AuthenticatedHttpRequest) -> HttpResponse:
    from acuerda.payments.reconciliation import statement_import
    from acuerda.payments.statements import StatementError

    form = StatementUploadForm(request.POST or None, request.FILES or None)
    problems: list[tuple[int | None, str]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        fmt = None if form.cleaned_data["format"] == "auto" else form.cleaned_data["format"]
        try:
            summary = statement_import(data=upload.read(), fmt=fmt, actor=request.user, file_name=upload.name)
        except StatementError as exc:
            problems = exc.problems
        else:
            messages.success(request, _("%(lines)s new lines: %(matched)s matched, %(review)s to review, %(returns)s "
                                        "returns applied, %(ignored)s not payments; %(known)s already imported.") % {
                "lines": summary.lines, "matched": summary.matched, "review": summary.to_review,
                "returns": summary.returns_applied, "ignored": summary.ignored,
                "known": summary.lines_already_imported})
            return redirect("payments:reconciliation")
    lines = list(StatementLine.objects.for_user(request.user).filter(status__in=LINE_OPEN).select_related("statement")
                 .order_by("booking_date", "pk")[:200])
    accounts = Account.objects.for_user(request.user).in_bulk(
        {c["account"] for line in lines for c in line.candidates if c.get("account")})
    rows = [(line, [(c, accounts.get(c.get("account"))) for c in line.candidates]) for line in lines]
    statements = BankStatement.objects.order_by("-imported_at")[:10]
    return render(request, "payments/reconciliation.html", {
        "form": form, "problems": problems, "rows": rows, "statements": statements,
    }, status=400 if problems else 200)


@login_required
@permission_required(RECONCILE, raise_exception=True)
@require_POST
def line_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    from acuerda.payments.reconciliation import ReconciliationError, line_ignore, line_resolve

    line = get_object_or_404(StatementLine.objects.for_user(request.user), pk=pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the line."))
        return redirect("payments:reconciliation")
    data = form.cleaned_data
    try:
        if data["action"] == "ignore":
            line_ignore(line=line, actor=request.user, note=data["note"] or "")
        elif line.is_return or line.amount < 0:
            wanted = (data.get("account_reference") or "").strip()
            found = list(Payment.objects.for_user(request.user).filter(Q(receipt_number=wanted) | Q(reference=wanted), status="applied",
                                                amount=abs(line.amount), currency=line.currency)[:2]) if wanted else []
            if len(found) != 1:
                raise ReconciliationError(_("Give the receipt number or reference of the one payment this return "
                                            "takes back (same amount)."))
            line_resolve(line=line, payment=found[0], actor=request.user)
        else:
            account = None
            if data.get("candidate"):
                account = Account.objects.for_user(request.user).filter(pk=data["candidate"]).first()
            elif data.get("account_reference"):
                matches = list(Account.objects.for_user(request.user).filter(
                    creditor_reference=data["account_reference"].strip(), currency=line.currency)[:2])
                if len(matches) != 1:
                    raise ReconciliationError(_("No single open account has the reference %(ref)s.")
                                              % {"ref": data["account_reference"]})
                account = matches[0]
            line_resolve(line=line, account=account, actor=request.user)
    except ReconciliationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Line reconciled."))
    return redirect("payments:reconciliation")


# --------------------------------------------------------------------------------------------
# Remittances
# --------------------------------------------------------------------------------------------


def _remittances(request: AuthenticatedHttpRequest) -> Any:
    rows = Remittance.objects.for_user(request.user).select_related("creditor")
    if not request.user.has_perm("payments.add_remittance"):  # creditors see what was issued to them
        rows = rows.filter(status=RemittanceStatus.ISSUED)
    return rows


@login_required
@permission_required("payments.view_remittance", raise_exception=True)
@require_http_methods(["GET", "POST"])
def remittance_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    from acuerda.payments.remittances import RemittanceError, remittance_build

    creditors = Creditor.objects.for_user(request.user).order_by("code")
    form = RemittanceBuildForm(request.POST or None, creditors=creditors)
    if request.method == "POST":
        if not request.user.has_perm("payments.add_remittance"):
            raise PermissionDenied
        if form.is_valid():
            try:
                remittance = remittance_build(creditor=form.cleaned_data["creditor"], period=form.cleaned_data["period"],
                                              actor=request.user)
            except RemittanceError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("payments:remittance", pk=remittance.pk)
    return render(request, "payments/remittances.html", {"rows": _remittances(request)[:100], "form": form})


@login_required
@permission_required("payments.view_remittance", raise_exception=True)
@require_http_methods(["GET", "POST"])
def remittance_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    from acuerda.payments.remittances import RemittanceError, remittance_issue, remittance_review

    remittance = get_object_or_404(_remittances(request), pk=pk)
    if request.method == "POST":
        if not request.user.has_perm(ISSUE):
            raise PermissionDenied
        try:
            if request.POST.get("action") == "review":
                remittance_review(remittance=remittance, actor=request.user)
            elif request.POST.get("action") == "issue":
                remittance_issue(remittance=remittance, actor=request.user)
        except RemittanceError as exc:
            messages.error(request, str(exc))
        return redirect("payments:remittance", pk=remittance.pk)
    lines = remittance.lines.select_related("account__portfolio", "allocation__payment").order_by("paid_on", "pk")
    return render(request, "payments/remittance.html", {"remittance": remittance, "lines": lines[:500],
                                                        "more": max(0, lines.count() - 500)})


@login_required
@permission_required("payments.view_remittance", raise_exception=True)
@require_GET
def remittance_file(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    from acuerda.payments.documents import remittance_pdf, remittance_xlsx
    from acuerda.payments.remittances import remittance_document

    if kind not in ("pdf", "xlsx"):
        raise Http404
    from acuerda.privacy.services import data_export_log

    remittance = get_object_or_404(_remittances(request), pk=pk)
    language = "en" if request.GET.get("language") == "en" else "es"
    stored = remittance.issued_pdf if kind == "pdf" else remittance.issued_xlsx
    if stored is not None and language == "es":
        content = bytes(stored)  # issued: exactly the document that was issued
    else:
        document = remittance_document(remittance, language=language)
        content = remittance_pdf(document) if kind == "pdf" else remittance_xlsx(document)
    data_export_log(user=request.user, kind="remittance", rows=remittance.lines.count(),
                    columns=["portfolio", "account", "debtor", "paid_on", "collected", "commission"],
                    personal_data=True, path=request.get_full_path(), purpose=f"Remittance {remittance.number}")
    if kind == "pdf":
        response = HttpResponse(content, content_type="application/pdf")
    else:
        response = HttpResponse(content, content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="{remittance.number}.{kind}"'
    return response



@login_required
@permission_required(REGISTER, raise_exception=True)
@require_POST
def mandate_new(request: AuthenticatedHttpRequest, plan_pk: int) -> HttpResponse:
    """The debtor signed a SEPA mandate for the plan's instalments (from the workspace)."""
    import datetime as dt

    from acuerda.agreements.models import PaymentPlan
    from acuerda.payments.sepa import SepaError, mandate_create

    plan = get_object_or_404(PaymentPlan.objects.for_user(request.user).select_related("account"), pk=plan_pk)
    try:
        signed_on = dt.date.fromisoformat(request.POST.get("signed_on", ""))
        mandate_create(plan=plan, iban=request.POST.get("iban", ""), holder_name=request.POST.get("holder_name", ""),
                       signed_on=signed_on, actor=request.user)
    except ValueError as exc:  # SepaError, or a date that is not one
        messages.error(request, str(exc) if isinstance(exc, SepaError) else _("The signature date is not a date."))
    else:
        messages.success(request, _("Direct-debit mandate recorded: the instalments will be collected from it."))
    return redirect("workspace:account", pk=plan.account_id)
