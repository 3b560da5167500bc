"""The REST API: parse, call a selector or service, render. Every queryset is ``.for_user``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from acuerda.api import serializers as s
from acuerda.creditors.models import Creditor
from acuerda.debtors.choices import DataAccessChannel
from acuerda.debtors.models import Debtor, PersonalDataAccess
from acuerda.debtors.selectors import debtor_accounts
from acuerda.debts.models import Account
from acuerda.debts.selectors import account_ledger, account_timeline
from acuerda.debts.services import InvalidTransition, account_transition
from acuerda.portfolios.models import Portfolio

if TYPE_CHECKING:
    from acuerda.people.models import User


class RolePermission(permissions.BasePermission):
    """Reads need the model's ``view`` permission, writes the action's own (see ``write_perm``)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        model = view.model
        perm = f"{model._meta.app_label}.view_{model._meta.model_name}"
        if request.method not in permissions.SAFE_METHODS:
            perm = getattr(view, "write_perm", None) or "__nobody__"
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(perm))


class ById(CursorPagination):
    ordering = "pk"


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [RolePermission]
    pagination_class = ById

    model: type[Model]

    @property
    def acting_user(self) -> User:
        # RolePermission has already refused anonymous requests.
        return cast("User", self.request.user)

    def get_queryset(self) -> QuerySet:
        return self.model.objects.for_user(self.acting_user)  # type: ignore[attr-defined]


class CreditorViewSet(ScopedViewSet):
    model = Creditor
    queryset = Creditor.objects.all()
    serializer_class = s.CreditorSerializer


class PortfolioViewSet(ScopedViewSet):
    model = Portfolio
    queryset = Portfolio.objects.all()
    serializer_class = s.PortfolioSerializer

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("creditor").prefetch_related("commission_rates")


class DebtorViewSet(ScopedViewSet):
    """Debtors. Every response that shows one is written to the personal-data access log."""

    model = Debtor
    queryset = Debtor.objects.all()
    serializer_class = s.DebtorSerializer

    def get_serializer_class(self) -> type:
        return s.DebtorDetailSerializer if self.action == "retrieve" else s.DebtorSerializer

    def _log(self, debtors: list[Debtor]) -> None:
        PersonalDataAccess.objects.bulk_create(
            PersonalDataAccess(user=self.acting_user, debtor=d, via=DataAccessChannel.API, path=self.request.path[:255])
            for d in debtors
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        self._log(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        debtor = self.get_object()
        self._log([debtor])
        return Response(self.get_serializer(debtor).data)

    @extend_schema(responses=s.AccountSerializer(many=True))
    @action(detail=True)
    def accounts(self, request: Request, pk: str | None = None) -> Response:
        debtor = self.get_object()
        rows = debtor_accounts(debtor=debtor, user=self.acting_user)[:500]
        return Response(s.AccountSerializer(rows, many=True).data)


class AccountViewSet(ScopedViewSet):
    model = Account
    queryset = Account.objects.all()
    serializer_class = s.AccountSerializer
    write_perm = "debts.change_account"

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        reference = self.request.query_params.get("creditor_reference")
        if reference:
            queryset = queryset.filter(creditor_reference=reference)
        return queryset

    @extend_schema(responses=s.LedgerEntrySerializer(many=True))
    @action(detail=True)
    def ledger(self, request: Request, pk: str | None = None) -> Response:
        account = self.get_object()
        return Response(s.LedgerEntrySerializer(account_ledger(account=account, user=self.acting_user), many=True).data)

    @extend_schema(responses=s.AccountEventSerializer(many=True))
    @action(detail=True)
    def events(self, request: Request, pk: str | None = None) -> Response:
        account = self.get_object()
        page = self.paginate_queryset(account_timeline(account=account, user=self.acting_user).order_by("-pk"))
        return self.get_paginated_response(s.AccountEventSerializer(page, many=True).data)

    @extend_schema(request=s.TransitionSerializer, responses=s.AccountSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        account = self.get_object()
        payload = s.TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            account = account_transition(account=account, actor=self.acting_user, **payload.validated_data)
        except InvalidTransition as exc:
            raise ValidationError({"to_status": [str(exc)]}) from None
        return Response(s.AccountSerializer(account).data, status=status.HTTP_200_OK)
