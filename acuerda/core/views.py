from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from acuerda.core.http import AuthenticatedHttpRequest
from acuerda.debtors.choices import DataAccessChannel
from acuerda.debtors.selectors import debtor_search
from acuerda.debtors.services import personal_data_access_log
from acuerda.portfolios.models import Portfolio


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    portfolios = Portfolio.objects.for_user(request.user).select_related("creditor").order_by("creditor__code", "reference")
    page = Paginator(portfolios, 50).get_page(request.GET.get("page"))
    return render(request, "core/home.html", {"page": page})


@login_required
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    debtors = list(debtor_search(user=request.user, query=query)) if query else []
    for debtor in debtors:
        personal_data_access_log(user=request.user, debtor=debtor, via=DataAccessChannel.PAGE, path=request.path)
    return render(request, "core/search.html", {"query": query, "debtors": debtors})
