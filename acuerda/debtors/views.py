from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from acuerda.core.http import AuthenticatedHttpRequest
from acuerda.debtors.choices import DataAccessChannel
from acuerda.debtors.models import Debtor
from acuerda.debtors.selectors import consents_in_force, debtor_accounts
from acuerda.debtors.services import personal_data_access_log


@login_required
def debtor_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    debtor = get_object_or_404(Debtor.objects.for_user(request.user), pk=pk)
    personal_data_access_log(user=request.user, debtor=debtor, via=DataAccessChannel.PAGE, path=request.path)
    contact_points = list(debtor.contact_points.order_by("kind", "-is_primary", "pk"))
    consents = consents_in_force(contact_points=contact_points)
    rows = [(point, sorted(consents.get(point.pk, {}).values(), key=lambda c: c.channel)) for point in contact_points]
    return render(
        request,
        "debtors/detail.html",
        {"debtor": debtor, "contact_rows": rows, "accounts": debtor_accounts(debtor=debtor, user=request.user)[:200]},
    )
