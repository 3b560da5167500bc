from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from acuerda.core.http import AuthenticatedHttpRequest
from acuerda.core.money import CENT
from acuerda.debts.allocation import COMPONENTS
from acuerda.debts.choices import AccountStatus
from acuerda.debts.models import ZERO, Account
from acuerda.portfolios.models import Portfolio


@login_required
def portfolio_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    portfolio = get_object_or_404(Portfolio.objects.for_user(request.user).select_related("creditor"), pk=pk)
    accounts = Account.objects.filter(portfolio=portfolio)
    summary = [
        {**row, "label": AccountStatus(row["status"]).label, **{c: (row[c] or ZERO).quantize(CENT) for c in COMPONENTS}}
        for row in accounts.order_by()
        .values("status")
        .annotate(count=Count("pk"), principal=Sum("principal"), interest=Sum("interest"), fees=Sum("fees"))
        .order_by("status")
    ]
    page = Paginator(accounts.select_related("debtor").order_by("pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portfolios/detail.html",
        {"portfolio": portfolio, "summary": summary, "page": page, "commissions": portfolio.commission_rates.all()},
    )
