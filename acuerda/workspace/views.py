"""The agent workspace pages: the work queue, the debtor 360° view with its action panels, the
supervisors' approvals queue, scripts and leads.

Every page works without JavaScript (forms post and redirect); with htmx the panels update in
place, and an open approval request is polled so the agent sees the answer without reloading.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from acuerda.compliance.services import ComplianceError, contact_check
from acuerda.core.http import AuthenticatedHttpRequest
from acuerda.creditors.models import Creditor
from acuerda.debtors.choices import DataAccessChannel
from acuerda.debtors.models import ContactPoint
from acuerda.debtors.selectors import consents_in_force
from acuerda.debtors.services import personal_data_access_log
from acuerda.debts.models import Account
from acuerda.workspace import services
from acuerda.workspace.catalogue import catalogue_for
from acuerda.workspace.choices import ApprovalStatus, CallbackStatus
from acuerda.workspace.forms import (
    CallbackForm,
    DecisionForm,
    InteractionForm,
    LeadForm,
    OfferForm,
    PromiseForm,
    ScriptForm,
)
from acuerda.workspace.models import ApprovalRequest, Callback, Lead, Script, WorkClaim
from acuerda.workspace.negotiation import Offer, OfferError
from acuerda.workspace.queue import (
    WorkspaceError,
    account_claim,
    claim_holder,
    claim_release,
    next_account,
)
from acuerda.workspace.scripts import script_for
from acuerda.workspace.selectors import (
    agreements_for,
    compliance_now,
    contact_points_for,
    debtor_accounts_for,
    debtor_timeline,
)

WORK = "workspace.work_accounts"
DECIDE = "workspace.decide_approval"
WORK_PURPOSE = "Debt collection work (agent workspace)"
MAX_TIMELINE_PAGE = 10_000


def _htmx(request: AuthenticatedHttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _account(request: AuthenticatedHttpRequest, pk: int) -> Account:
    return get_object_or_404(Account.objects.for_user(request.user).select_related("portfolio__creditor", "debtor"),
                             pk=pk)


def _form_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [("__all__", exc.messages)]:
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


# --------------------------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------------------------


@login_required
@permission_required(WORK, raise_exception=True)
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    claim = WorkClaim.objects.filter(agent=request.user, expires_at__gt=now).select_related("account").first()
    callbacks = (Callback.objects.for_user(request.user).filter(status=CallbackStatus.PENDING, assigned_to=request.user)
                 .select_related("account__debtor").order_by("due_at")[:20])
    requests = (ApprovalRequest.objects.for_user(request.user).filter(requested_by=request.user)
                .select_related("account").order_by("-requested_at")[:10])
    pending = (ApprovalRequest.objects.for_user(request.user).filter(status=ApprovalStatus.PENDING).count()
               if request.user.has_perm(DECIDE) else None)
    return render(request, "workspace/home.html", {
        "claim": claim, "callbacks": callbacks, "requests": requests, "pending_approvals": pending,
    })


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def take_next(request: AuthenticatedHttpRequest) -> HttpResponse:
    assignment = next_account(agent=request.user)
    if assignment is None:
        messages.info(request, _("There is no account you may call right now. Try again in a few minutes."))
        return redirect("workspace:home")
    url = reverse("workspace:account", args=[assignment.account.pk])
    if assignment.reason == "callback":
        messages.info(request, _("Scheduled callback due now."))
    elif assignment.reason == "broken_promise":
        messages.warning(request, _("This debtor broke a promise to pay: follow it up."))
    return redirect(url)


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def release(request: AuthenticatedHttpRequest) -> HttpResponse:
    claim_release(agent=request.user)
    return redirect("workspace:home")


# --------------------------------------------------------------------------------------------
# The 360° view
# --------------------------------------------------------------------------------------------


def _workspace_context(request: AuthenticatedHttpRequest, account: Account, **forms: Any) -> dict[str, Any]:
    debtor = account.debtor
    accounts = list(debtor_accounts_for(debtor=debtor, user=request.user))
    account_ids = [a.pk for a in accounts] or [account.pk]
    points = contact_points_for(debtor)
    consents = consents_in_force(contact_points=points)
    today = timezone.localdate()
    english = (translation.get_language() or "es").startswith("en")
    dispositions = catalogue_for(account.portfolio.creditor_id)
    holder = claim_holder(account)
    policy = services.negotiation_policy(account)
    context = {
        "account": account, "debtor": debtor, "accounts": accounts, "today": today,
        "contact_rows": [(p, sorted(consents.get(p.pk, {}).values(), key=lambda c: c.channel)) for p in points],
        "phones": [p for p in points if p.kind == "phone" and p.status == "valid"],
        "channels": compliance_now(account=account, english=english),
        "timeline": debtor_timeline(account_ids=account_ids, page=1),
        "script": script_for(account=account, agent=request.user, today=today),
        "mine": holder is not None and holder.agent_id == request.user.pk,
        "holder": holder, "policy": policy, "dispositions": dispositions,
        "interaction_form": forms.get("interaction_form") or InteractionForm(
            dispositions=dispositions, contact_points=points),
        "offer_form": forms.get("offer_form") or OfferForm(initial=OfferForm.initial_for(today=today)),
        "promise_form": forms.get("promise_form") or PromiseForm(initial={
            "amount": account.balance.amount, "due_on": today + dt.timedelta(days=min(7, policy.max_promise_days))}),
        "callback_form": forms.get("callback_form") or CallbackForm(contact_points=points),
        "lead_form": forms.get("lead_form") or LeadForm(),
        "assessment": forms.get("assessment"),
        **agreements_for(account_ids),
    }
    for item in accounts:
        item.dpd = item.days_past_due(today)  # type: ignore[attr-defined]
        item.bucket_label = item.portfolio.creditor.buckets.label_for(item.dpd)  # type: ignore[attr-defined]
    return context


@login_required
@permission_required(WORK, raise_exception=True)
@require_GET
def account_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    try:
        account_claim(agent=request.user, account=account)
    except WorkspaceError as exc:
        messages.warning(request, str(exc))
    personal_data_access_log(user=request.user, debtor=account.debtor, via=DataAccessChannel.PAGE, path=request.path,
                             purpose=WORK_PURPOSE)
    return render(request, "workspace/account.html", _workspace_context(request, account))


@login_required
@permission_required(WORK, raise_exception=True)
@require_GET
def timeline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    accounts = debtor_accounts_for(debtor=account.debtor, user=request.user).values_list("pk", flat=True)
    raw = request.GET.get("page", "1")
    page = min(int(raw), MAX_TIMELINE_PAGE) if raw.isdigit() and int(raw) > 0 else 1
    return render(request, "workspace/_timeline.html", {
        "account": account, "timeline": debtor_timeline(account_ids=list(accounts) or [account.pk], page=page),
    })


def _after_write(request: AuthenticatedHttpRequest, account: Account, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("workspace:account", pk=account.pk)


def _rerender(request: AuthenticatedHttpRequest, account: Account, **forms: Any) -> HttpResponse:
    return render(request, "workspace/account.html", _workspace_context(request, account, **forms), status=400)


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def dial(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask the gate for a call to one phone now; when allowed, the decision clears the call that
    the agent records next (one decision, one attempt, within 15 minutes)."""
    account = _account(request, pk)
    point_id = request.POST.get("contact_point", "")
    if not point_id.isdigit():
        raise Http404
    point = get_object_or_404(ContactPoint, pk=int(point_id), debtor_id__in=[
        account.debtor_id, *account.parties.values_list("debtor_id", flat=True)])
    try:
        services.claim_require(agent=request.user, account=account)
        decision = contact_check(account=account, channel="call", contact_point=point, actor=request.user)
    except (WorkspaceError, ComplianceError) as exc:
        # htmx swaps only 2xx answers: the agent must see why, in place.
        return render(request, "workspace/_dial.html", {"error": str(exc), "point": point},
                      status=200 if _htmx(request) else 400)
    english = (translation.get_language() or "es").startswith("en")
    reasons = [b.get("reason_en" if english else "reason_es", "") for b in decision.blocked_by]
    return render(request, "workspace/_dial.html", {"decision": decision, "point": point, "reasons": reasons})


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def record_interaction(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    points = contact_points_for(account.debtor)
    form = InteractionForm(request.POST, dispositions=catalogue_for(account.portfolio.creditor_id),
                           contact_points=points)
    if form.is_valid():
        data = form.cleaned_data
        decision = None
        if data.get("decision"):
            from acuerda.compliance.models import ContactDecision

            decision = ContactDecision.objects.filter(pk=data["decision"], account=account, actor=request.user).first()
        promise = (services.PromiseTerms(data["promise_amount"], data["promise_date"])
                   if data.get("promise_amount") is not None and data.get("promise_date") else None)
        try:
            services.interaction_record(
                agent=request.user, account=account, channel=data["channel"], disposition=data["disposition"],
                party_reached=data.get("party_reached") or "", contact_point=data.get("contact_point"),
                direction=data["direction"], note=data.get("note") or "", decision=decision, promise=promise,
                callback_at=data.get("callback_at"),
            )
        except (ValidationError, WorkspaceError) as exc:
            if isinstance(exc, WorkspaceError):
                form.add_error(None, str(exc))
            else:
                _form_errors(form, exc)
        else:
            return _after_write(request, account, _("Interaction recorded."))
    return _rerender(request, account, interaction_form=form)


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def register_promise(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    form = PromiseForm(request.POST)
    if form.is_valid():
        try:
            services.promise_register(agent=request.user, account=account, amount=form.cleaned_data["amount"],
                                      due_on=form.cleaned_data["due_on"])
        except ValidationError as exc:
            _form_errors(form, exc)
        except WorkspaceError as exc:
            form.add_error(None, str(exc))
        else:
            return _after_write(request, account, _("Promise to pay registered."))
    return _rerender(request, account, promise_form=form)


@login_required
@permission_required(WORK, raise_exception=True)
@require_GET
def callback_slot(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The next moment the gate allows a call, from the time typed (htmx fills the form)."""
    account = _account(request, pk)
    form = CallbackForm(request.GET, contact_points=contact_points_for(account.debtor))
    moment = timezone.now()
    if form.is_valid() and form.cleaned_data["due_at"]:
        moment = max(moment, form.cleaned_data["due_at"])
    point = form.cleaned_data.get("contact_point") if form.is_valid() else None
    slot = services.callback_slot(account=account, at=moment.replace(second=0, microsecond=0), contact_point=point)
    return render(request, "workspace/_callback_slot.html", {"slot": slot, "asked": moment})


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def schedule_callback(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    form = CallbackForm(request.POST, contact_points=contact_points_for(account.debtor))
    if form.is_valid():
        try:
            services.callback_schedule(agent=request.user, account=account, due_at=form.cleaned_data["due_at"],
                                       contact_point=form.cleaned_data.get("contact_point"),
                                       note=form.cleaned_data.get("note") or "")
        except ValidationError as exc:
            _form_errors(form, exc)
        except WorkspaceError as exc:
            form.add_error(None, str(exc))
        else:
            return _after_write(request, account, _("Callback scheduled."))
    return _rerender(request, account, callback_form=form)


# --------------------------------------------------------------------------------------------
# Negotiation
# --------------------------------------------------------------------------------------------


def _assess(request: AuthenticatedHttpRequest, account: Account, form: OfferForm) -> services.OfferAssessment | None:
    if not form.is_valid():
        return None
    try:
        return services.offer_assess(agent=request.user, account=account, offer=form.offer())
    except OfferError as exc:
        for field, errors in exc.errors.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    return None


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def calculate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The debtor-facing schedule for the terms typed, and what authority they need."""
    account = _account(request, pk)
    form = OfferForm(request.POST)
    assessment = _assess(request, account, form)
    context = {"account": account, "offer_form": form, "assessment": assessment}
    if _htmx(request):
        return render(request, "workspace/_calculator.html", context)
    return render(request, "workspace/account.html", _workspace_context(request, account, offer_form=form,
                                                                        assessment=assessment))


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def agree(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Agree the terms (within authority) or send them to a supervisor (beyond it)."""
    account = _account(request, pk)
    form = OfferForm(request.POST)
    assessment = _assess(request, account, form)
    if assessment is not None:
        try:
            if request.POST.get("action") == "request_approval":
                services.approval_request(agent=request.user, account=account, offer=form.offer(),
                                          note=form.cleaned_data.get("note") or "")
                return _after_write(request, account, _("Sent to a supervisor for approval."))
            services.plan_agree(agent=request.user, account=account, offer=form.offer())
            return _after_write(request, account, _("Agreement registered."))
        except (WorkspaceError, OfferError) as exc:
            form.add_error(None, str(exc))
    return _rerender(request, account, offer_form=form, assessment=assessment)


@login_required
@permission_required(WORK, raise_exception=True)
@require_GET
def approval_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The agent's view of one request: polled while it waits, final once answered."""
    approval = get_object_or_404(ApprovalRequest.objects.for_user(request.user).select_related("decided_by", "account"),
                                 pk=pk)
    counter = None
    if approval.counter_offer:
        try:
            counter = services.offer_assess(agent=approval.decided_by or request.user, account=approval.account,
                                            offer=Offer.from_dict(approval.counter_offer))
        except OfferError as exc:
            counter = None
            messages.error(request, str(exc))
    return render(request, "workspace/_approval_status.html", {"approval": approval, "counter": counter,
                                                               "polling": approval.status == ApprovalStatus.PENDING})


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def approval_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    approval = get_object_or_404(ApprovalRequest.objects.for_user(request.user), pk=pk)
    try:
        services.approval_accept_counter(agent=request.user, request=approval)
    except (WorkspaceError, OfferError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Counter-offer accepted: agreement registered."))
    return redirect("workspace:account", pk=approval.account_id)


@login_required
@permission_required(DECIDE, raise_exception=True)
@require_GET
def approvals(request: AuthenticatedHttpRequest) -> HttpResponse:
    pending = list(ApprovalRequest.objects.for_user(request.user).filter(status=ApprovalStatus.PENDING)
                   .select_related("account__debtor", "account__portfolio__creditor", "requested_by")
                   .order_by("requested_at")[:100])
    recent = (ApprovalRequest.objects.for_user(request.user).exclude(status=ApprovalStatus.PENDING)
              .select_related("account", "requested_by", "decided_by").order_by("-decided_at")[:20])
    rows = [(a, DecisionForm(prefix=f"r{a.pk}", initial=OfferForm.initial_for(Offer.from_dict(a.offer)))) for a in pending]
    return render(request, "workspace/approvals.html", {"rows": rows, "recent": recent})


@login_required
@permission_required(DECIDE, raise_exception=True)
@require_POST
def approval_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    approval = get_object_or_404(ApprovalRequest.objects.for_user(request.user), pk=pk)
    form = DecisionForm(request.POST, prefix=f"r{approval.pk}")
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()))
        return redirect("workspace:approvals")
    counter = form.offer() if form.cleaned_data["decision"] == "counter" else None
    try:
        services.approval_decide(supervisor=request.user, request=approval, decision=form.cleaned_data["decision"],
                                 answer=form.cleaned_data.get("answer") or "", counter_offer=counter)
    except (WorkspaceError, OfferError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Answer sent to the agent."))
    return redirect("workspace:approvals")


@login_required
@permission_required(DECIDE, raise_exception=True)
@require_POST
def plan_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A supervisor ends a plan in force (the reason goes into the account's timeline)."""
    from acuerda.agreements.models import PaymentPlan
    from acuerda.agreements.services import AgreementError
    from acuerda.agreements.services import plan_cancel as cancel

    plan = get_object_or_404(PaymentPlan.objects.for_user(request.user), pk=pk)
    try:
        cancel(plan=plan, actor=request.user, reason=request.POST.get("reason", ""))
    except AgreementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Payment plan cancelled; the account is back in the work queue."))
    return redirect("workspace:account", pk=plan.account_id)


# --------------------------------------------------------------------------------------------
# Leads and scripts
# --------------------------------------------------------------------------------------------


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def mark_lead(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    form = LeadForm(request.POST)
    if form.is_valid():
        try:
            services.lead_mark(agent=request.user, account=account,
                               consent_evidence=form.cleaned_data["consent_evidence"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            _form_errors(form, exc)
        except WorkspaceError as exc:
            form.add_error(None, str(exc))
        else:
            return _after_write(request, account, _("Marked as a lead for the creditor's sales team."))
    return _rerender(request, account, lead_form=form)


@login_required
@permission_required("workspace.export_leads", raise_exception=True)
@require_GET
def leads(request: AuthenticatedHttpRequest) -> HttpResponse:
    creditors = Creditor.objects.for_user(request.user).order_by("code")
    rows = (Lead.objects.for_user(request.user).select_related("account__portfolio__creditor", "debtor", "marked_by")
            .order_by("-marked_at")[:200])
    return render(request, "workspace/leads.html", {"creditors": creditors, "rows": rows})


LEAD_COLUMNS = ["account_reference", "debtor_name", "national_id", "contact", "consent", "note", "marked_at"]


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@permission_required("workspace.export_leads", raise_exception=True)
@require_POST
def leads_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """The creditor's leads as CSV for its sales team: name, phone/email, consent evidence.
    Each debtor's disclosure is logged (export log and personal data access log), and the leads
    are marked exported: a POST, so no link or prefetch can disclose them."""
    from acuerda.privacy.choices import ExportKind
    from acuerda.privacy.services import data_export_log

    creditor = get_object_or_404(Creditor.objects.for_user(request.user), code=request.POST.get("creditor", ""))
    rows = list(Lead.objects.for_user(request.user).filter(account__portfolio__creditor=creditor)
                .select_related("account", "debtor", "contact_point").order_by("marked_at"))
    points: dict[int, list[str]] = {}
    for point in ContactPoint.objects.filter(debtor_id__in={r.debtor_id for r in rows}, status="valid",
                                             kind__in=("phone", "email")).order_by("-is_primary", "pk"):
        points.setdefault(point.debtor_id, []).append(point.value)
    with transaction.atomic():
        now = timezone.now()
        for row in rows:
            personal_data_access_log(user=request.user, debtor=row.debtor, via=DataAccessChannel.EXPORT,
                                     path=request.path, purpose="Cross-sell lead disclosed to the creditor")
        Lead.objects.filter(pk__in=[r.pk for r in rows], exported_at__isnull=True).update(exported_at=now)
        data_export_log(user=request.user, kind=ExportKind.LEADS, rows=len(rows), columns=LEAD_COLUMNS,
                        personal_data=True, path=request.get_full_path(),
                        purpose=f"Cross-sell leads for {creditor.code}", at=now)
    writer = csv.writer(_Echo())
    header = LEAD_COLUMNS

    def lines() -> Any:
        yield writer.writerow(header)
        for row in rows:
            contact = row.contact_point.value if row.contact_point else "; ".join(points.get(row.debtor_id, [])[:2])
            yield writer.writerow([row.account.creditor_reference, row.debtor.display_name,
                                   f"{row.debtor.id_type} {row.debtor.id_number}", contact, row.consent_evidence,
                                   row.note, row.marked_at.isoformat()])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="leads-{creditor.code}-{timezone.localdate():%Y%m%d}.csv"'
    return response


@login_required
@permission_required("workspace.view_script", raise_exception=True)
@require_GET
def scripts(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = Script.objects.for_user(request.user).select_related("creditor", "updated_by")
    return render(request, "workspace/scripts.html", {"rows": rows})


@login_required
@permission_required("workspace.change_script", raise_exception=True)
@require_http_methods(["GET", "POST"])
def script_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    from acuerda.workspace.scripts import PLACEHOLDERS, script_save

    script = get_object_or_404(Script.objects.for_user(request.user), pk=pk) if pk else Script()
    creditors = Creditor.objects.for_user(request.user).order_by("code")
    form = ScriptForm(request.POST or None, instance=script, creditors=creditors)
    if request.method == "POST" and form.is_valid():
        try:
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            script_save(script=script, actor=request.user, **fields)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Script saved."))
            return redirect("workspace:scripts")
    return render(request, "workspace/script_edit.html", {"form": form, "script": script,
                                                          "placeholders": PLACEHOLDERS},
                  status=400 if request.method == "POST" else 200)
