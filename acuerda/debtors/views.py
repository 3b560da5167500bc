from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from acuerda.core.http import AuthenticatedHttpRequest
from acuerda.debtors.choices import DataAccessChannel
from acuerda.debtors.models import Debtor
from acuerda.debtors.selectors import consents_in_force, debtor_accounts
from acuerda.debtors.services import personal_data_access_log

SUBJECT_ACCESS_PURPOSE = "Data subject access request (GDPR art. 15)"


def _visible_debtor(request: AuthenticatedHttpRequest, pk: int) -> Debtor:
    """The debtor if the user may see them (404 otherwise, revealing nothing)."""
    return get_object_or_404(Debtor.objects.for_user(request.user), pk=pk)


def _require(request: AuthenticatedHttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


@login_required
def debtor_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    from acuerda.privacy.models import ErasureRecord
    from acuerda.privacy.selectors import erasure_blockers

    debtor = _visible_debtor(request, pk)
    personal_data_access_log(user=request.user, debtor=debtor, via=DataAccessChannel.PAGE, path=request.path)
    contact_points = list(debtor.contact_points.order_by("kind", "-is_primary", "pk"))
    consents = consents_in_force(contact_points=contact_points)
    rows = [(point, sorted(consents.get(point.pk, {}).values(), key=lambda c: c.channel)) for point in contact_points]
    can_anonymise = request.user.has_perm("privacy.anonymise_debtor")
    erasure = ErasureRecord.objects.filter(debtor=debtor).first()
    return render(
        request,
        "debtors/detail.html",
        {
            "debtor": debtor, "contact_rows": rows, "accounts": debtor_accounts(debtor=debtor, user=request.user)[:200],
            "can_export": request.user.has_perm("privacy.export_subject_data"),
            "can_anonymise": can_anonymise,
            "erasure": erasure,
            "erasure_blockers": erasure_blockers(debtor=debtor) if can_anonymise and erasure is None else [],
        },
    )


def _purpose(request: AuthenticatedHttpRequest) -> str:
    return request.GET.get("purpose", "").strip()[:255] or SUBJECT_ACCESS_PURPOSE


@login_required
@require_GET
def debtor_subject_access_json(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everything held about the debtor as JSON (GDPR art. 15), logged as a disclosure."""
    from acuerda.privacy.services import subject_access_export

    debtor = _visible_debtor(request, pk)
    _require(request, "privacy.export_subject_data")
    data = subject_access_export(debtor=debtor, actor=request.user, purpose=_purpose(request), path=request.path)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="subject-access-{debtor.pk}.json"'
    return response


@login_required
@require_GET
def debtor_subject_access_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The same report as a PDF in the debtor's language."""
    from acuerda.privacy.services import subject_access_pdf

    debtor = _visible_debtor(request, pk)
    _require(request, "privacy.export_subject_data")
    pdf = subject_access_pdf(debtor=debtor, actor=request.user, purpose=_purpose(request), path=request.path)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{debtor.pk}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def debtor_anonymise(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm, then anonymise the debtor's personal data (GDPR art. 17)."""
    from acuerda.privacy.forms import AnonymiseForm
    from acuerda.privacy.models import ErasureRecord
    from acuerda.privacy.selectors import erasure_blockers
    from acuerda.privacy.services import ErasureRefused
    from acuerda.privacy.services import debtor_anonymise as anonymise

    debtor = _visible_debtor(request, pk)
    _require(request, "privacy.anonymise_debtor")
    if ErasureRecord.objects.filter(debtor=debtor).exists():
        messages.info(request, _("This debtor's personal data has already been anonymised."))
        return redirect("debtors:detail", pk=debtor.pk)
    form = AnonymiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            anonymise(debtor=debtor, actor=request.user, reason=form.cleaned_data["reason"])
        except ErasureRefused as exc:
            messages.error(request, str(exc))
            return redirect("debtors:detail", pk=debtor.pk)
        messages.success(request, _("The debtor's personal data was anonymised. The accounts and their ledgers are kept."))
        return redirect("debtors:detail", pk=debtor.pk)
    return render(
        request, "debtors/anonymise.html",
        {"debtor": debtor, "form": form, "blockers": erasure_blockers(debtor=debtor)},
        status=400 if request.method == "POST" else 200,
    )
