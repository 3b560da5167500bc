from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from acuerda.core.http import AuthenticatedHttpRequest
from acuerda.core.money import CENT
from acuerda.debts.choices import AccountStatus
from acuerda.debts.models import ZERO, Account
from acuerda.portfolios.models import Portfolio


@login_required
def portfolio_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    portfolio = get_object_or_404(Portfolio.objects.for_user(request.user).select_related("creditor"), pk=pk)
    accounts = Account.objects.filter(portfolio=portfolio)
    rows = (
        accounts.order_by()
        .values("status")
        .annotate(count=Count("pk"), principal=Sum("principal"), interest=Sum("interest"), fees=Sum("fees"))
        .order_by("status")
    )
    # Sums are rounded to cents: SQLite adds decimals in floating point.
    summary = [
        {
            "label": AccountStatus(row["status"]).label,
            "count": row["count"],
            **{component: (row[component] or ZERO).quantize(CENT) for component in ("principal", "interest", "fees")},
        }
        for row in rows
    ]
    order = {label: i for i, label in enumerate(portfolio.creditor.buckets.labels())}
    commissions = sorted(portfolio.commission_rates.all(), key=lambda rate: order.get(rate.bucket, len(order)))
    page = Paginator(accounts.select_related("debtor").order_by("pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portfolios/detail.html",
        {"portfolio": portfolio, "summary": summary, "page": page, "commissions": commissions},
    )
