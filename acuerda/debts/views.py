from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from acuerda.core.http import AuthenticatedHttpRequest
from acuerda.debtors.choices import DataAccessChannel
from acuerda.debtors.services import personal_data_access_log
from acuerda.debts.models import Account
from acuerda.debts.selectors import account_ledger, account_timeline


@login_required
def account_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(
        Account.objects.for_user(request.user).select_related("portfolio__creditor", "debtor"), pk=pk
    )
    personal_data_access_log(user=request.user, debtor=account.debtor, via=DataAccessChannel.PAGE, path=request.path)
    today = timezone.localdate()
    timeline = Paginator(account_timeline(account=account, user=request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "debts/account.html",
        {
            "account": account,
            "dpd": account.days_past_due(today),
            "bucket": account.portfolio.creditor.buckets.label_for(account.days_past_due(today)),
            "ledger": account_ledger(account=account, user=request.user)[:200],
            "parties": account.parties.select_related("debtor"),
            "page": timeline,
        },
    )
