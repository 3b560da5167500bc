"""Payments over the REST API.

- ``POST /api/v1/payments/`` registers a payment for an account the caller may see. The
  ``Idempotency-Key`` header is required: the same key again answers the first payment (200)
  instead of recording a second one (201); the same key for a different payment is 409.
- ``GET /api/v1/payments/`` (filters ``status``, ``account``, ``received_from``, ``received_to``)
  and ``GET /api/v1/payments/<id>/``: the payments the caller may see, each with only the
  allocations to accounts the caller may see.
- ``GET /api/v1/statement-lines/?status=pending``: the reconciliation queue (agency-wide roles
  see every line; others only lines applied to their accounts); ``GET /api/v1/remittances/``:
  remittances with their lines, for those who see every portfolio of the creditor.
- ``POST /api/v1/payments/providers/<provider>/notifications/`` receives a payment provider's
  notifications, signed with the provider's shared secret (``ACUERDA_PAYMENT_PROVIDERS``):
  header ``Acuerda-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``, at most
  five minutes old. ``payment.succeeded`` registers (idempotent by the provider's event id),
  ``payment.refunded`` reverses the payment it names. A bad signature is 401 and nothing is read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acuerda.api.views import ScopedViewSet
from acuerda.debts.models import Account
from acuerda.payments.choices import LineStatus, PaymentMethod, PaymentSource, PaymentStatus
from acuerda.payments.models import (
    Payment,
    PaymentAllocation,
    Remittance,
    RemittanceLine,
    StatementLine,
)
from acuerda.payments.services import (
    PaymentConflict,
    PaymentError,
    payment_register,
    payment_reverse,
)

if TYPE_CHECKING:
    from acuerda.people.models import User

SIGNATURE_TOLERANCE_SECONDS = 300


class AllocationSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)


class PaymentSerializer(serializers.ModelSerializer):
    allocations = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = ["id", "amount", "currency", "received_on", "method", "source", "reference", "payer_name",
                  "receipt_number", "status", "registered_at", "reversed_at", "reversal_reason", "allocations"]

    @extend_schema_field(AllocationSerializer(many=True))
    def get_allocations(self, payment: Payment) -> list[dict[str, Any]]:
        """The parts applied to accounts the caller may see (a payment split across creditors
        shows each caller only their own)."""
        user = self.context.get("user")
        allocations = PaymentAllocation.objects.filter(payment=payment)
        if user is not None:
            allocations = allocations.for_user(user)
        return [{"account": a.account_id, "amount": str(a.amount)} for a in allocations.order_by("pk")]


class PaymentRequestSerializer(serializers.Serializer):
    account = serializers.IntegerField(help_text="The account the payment is for (paid first; any rest goes to "
                                                 "the debtor's other accounts by policy).")
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal("0.01"))
    currency = serializers.CharField(max_length=3)
    received_on = serializers.DateField()
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    reference = serializers.CharField(max_length=140, required=False, allow_blank=True, default="")
    payer_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RegisterPermission(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.has_perm("payments.register_payment"))


class ListOrRegisterPermission(RegisterPermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated and request.user.has_perm("payments.view_payment"))
        return super().has_permission(request, view)


class NewestFirst(CursorPagination):
    ordering = "-pk"


class PaymentRegisterView(APIView):
    """``GET``: the payments the caller may see, newest first (``?status=applied|reversed``,
    ``?account=<id>``, ``?received_from=`` / ``?received_to=`` YYYY-MM-DD); ``POST``: register one."""

    permission_classes = [ListOrRegisterPermission]

    @extend_schema(
        responses={200: PaymentSerializer(many=True)},
        parameters=[OpenApiParameter("status", str, enum=["applied", "reversed"]),
                    OpenApiParameter("account", int), OpenApiParameter("received_from", OpenApiTypes.DATE),
                    OpenApiParameter("received_to", OpenApiTypes.DATE)],
    )
    def get(self, request: Request) -> Response:
        user = cast("User", request.user)
        payments = Payment.objects.for_user(user)
        filters = PaymentFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        if data.get("status"):
            payments = payments.filter(status=data["status"])
        if data.get("account"):
            payments = payments.filter(allocations__account_id=data["account"]).distinct()
        if data.get("received_from"):
            payments = payments.filter(received_on__gte=data["received_from"])
        if data.get("received_to"):
            payments = payments.filter(received_on__lte=data["received_to"])
        paginator = NewestFirst()
        page = paginator.paginate_queryset(payments, request, view=self)
        return paginator.get_paginated_response(PaymentSerializer(page, many=True, context={"user": user}).data)

    @extend_schema(
        request=PaymentRequestSerializer, responses={200: PaymentSerializer, 201: PaymentSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True,
                                     description="A unique key per payment; repeating it returns the first one.")],
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return Response({"Idempotency-Key": [_("This header is required.")]}, status=status.HTTP_400_BAD_REQUEST)
        body = PaymentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = cast("User", request.user)  # the permission refused anonymous callers
        account = Account.objects.for_user(user).select_related("debtor").filter(pk=data["account"]).first()
        if account is None:
            return Response({"account": [_("No such account.")]}, status=status.HTTP_400_BAD_REQUEST)
        full_key = f"api:{request.user.pk}:{key}"[:160]
        existed = Payment.objects.filter(idempotency_key=full_key).exists()
        try:
            payment = payment_register(
                debtor=account.debtor, amount=data["amount"], currency=data["currency"], received_on=data["received_on"],
                method=data["method"], source=PaymentSource.MANUAL, idempotency_key=full_key, actor=user,
                account=account, reference=data["reference"], payer_name=data["payer_name"],
            )
        except PaymentConflict as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except PaymentError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(PaymentSerializer(payment, context={"user": user}).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class PaymentFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PaymentStatus.choices, required=False)
    account = serializers.IntegerField(required=False, min_value=1)
    received_from = serializers.DateField(required=False)
    received_to = serializers.DateField(required=False)


class PaymentDetailView(APIView):
    permission_classes = [ListOrRegisterPermission]

    @extend_schema(responses={200: PaymentSerializer})
    def get(self, request: Request, pk: int) -> Response:
        user = cast("User", request.user)
        payment = get_object_or_404(Payment.objects.for_user(user), pk=pk)
        return Response(PaymentSerializer(payment, context={"user": user}).data)


# --------------------------------------------------------------------------------------------
# The reconciliation queue and remittances (read-only: people decide in the back office)
# --------------------------------------------------------------------------------------------


class StatementLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementLine
        fields = ["id", "bank_account", "line_id", "source_line", "booking_date", "value_date", "amount", "currency",
                  "concept", "reference", "counterparty_name", "is_return", "return_reason", "status", "confidence",
                  "candidates", "account", "payment", "resolved_at", "note"]


class StatementLineViewSet(ScopedViewSet):
    """Bank statement lines and what reconciliation made of them; ``?status=pending`` (or
    ``ambiguous``, ``matched``...) for the queue a person resolves at /payments/reconciliation/."""

    model = StatementLine
    queryset = StatementLine.objects.all()
    serializer_class = StatementLineSerializer

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=[c for c, _l in LineStatus.choices])])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        lines = super().get_queryset()
        wanted = self.request.query_params.get("status")
        if wanted:
            if wanted not in LineStatus.values:
                raise ValidationError({"status": [_("Unknown status %(status)r; one of: %(known)s.") % {
                    "status": wanted, "known": ", ".join(LineStatus.values)}]})
            lines = lines.filter(status=wanted)
        return lines


class RemittanceLineSerializer(serializers.ModelSerializer):
    portfolio = serializers.CharField(source="account.portfolio.reference")
    account_reference = serializers.CharField(source="account.creditor_reference")

    class Meta:
        model = RemittanceLine
        fields = ["id", "account", "portfolio", "account_reference", "paid_on", "bucket", "rate_percent",
                  "collected", "commission", "is_correction"]


class RemittanceSerializer(serializers.ModelSerializer):
    creditor = serializers.CharField(source="creditor.code")
    lines = RemittanceLineSerializer(many=True, read_only=True)

    class Meta:
        model = Remittance
        fields = ["id", "number", "creditor", "period_start", "period_end", "currency", "status", "collected",
                  "commission", "vat_rate_percent", "vat", "adjustments", "net", "invoice_number", "built_at",
                  "reviewed_at", "issued_at", "lines"]


class RemittanceViewSet(ScopedViewSet):
    """Remittances to creditors with their lines (the XLSX and PDF are at /payments/remittances/)."""

    model = Remittance
    queryset = Remittance.objects.all()
    serializer_class = RemittanceSerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("creditor").prefetch_related("lines__account__portfolio")


# --------------------------------------------------------------------------------------------
# Providers
# --------------------------------------------------------------------------------------------


def provider_secrets() -> dict[str, str]:
    return dict(getattr(settings, "ACUERDA_PAYMENT_PROVIDERS", {}))


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header a provider sends (also used by tests and integrators)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _verified(provider: str, header: str, body: bytes) -> bool:
    secret = provider_secrets().get(provider)
    if not secret:
        return False
    parts = dict(item.strip().split("=", 1) for item in header.split(",") if "=" in item)
    stamp, given = parts.get("t", ""), parts.get("v1", "")
    # Anything but a plain timestamp and a hex digest is refused before any arithmetic.
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12) or not given.isascii():
        return False
    timestamp = int(stamp)
    if abs(time.time() - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected.encode(), given.encode())


def provider_line_queue(provider: str, data: dict[str, Any], problem: str) -> Any:
    """A provider's payment that could not be applied, as a line of the reconciliation queue
    (idempotent by the provider's payment id)."""
    from django.utils import timezone

    from acuerda.payments.models import BankStatement, StatementLine

    account = f"provider:{provider}"[:40]
    statement, _created = BankStatement.objects.get_or_create(
        bank_account=account, format="provider", statement_id=f"{provider}:{data['paid_on'].isoformat()}",
        defaults={"currency": data["currency"][:3], "start_date": data["paid_on"], "end_date": data["paid_on"],
                  "file_sha256": "", "file_name": f"{provider} notifications", "imported_at": timezone.now()},
    )
    line, _created = StatementLine.objects.get_or_create(
        bank_account=account, line_id=str(data["payment_id"])[:140],
        defaults={"statement": statement, "booking_date": data["paid_on"], "value_date": data["paid_on"],
                  "amount": data["amount"], "currency": data["currency"][:3],
                  "concept": f"{data['creditor']} {data['account_reference']}"[:500],
                  "reference": str(data["payment_id"])[:140], "counterparty_name": data.get("payer_name", "")[:200],
                  "note": problem[:255]},
    )
    return line


class NotificationSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=100, help_text="The provider's event id (idempotency).")
    type = serializers.ChoiceField(choices=["payment.succeeded", "payment.refunded"])
    payment_id = serializers.CharField(max_length=100, help_text="The provider's payment id.")
    account_reference = serializers.CharField(max_length=64)
    creditor = serializers.CharField(max_length=32)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal("0.01"))
    currency = serializers.CharField(max_length=3)
    paid_on = serializers.DateField()
    payer_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ProviderNotificationView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=NotificationSerializer, responses={200: PaymentSerializer, 201: PaymentSerializer})
    def post(self, request: Request, provider: str) -> Response:
        body = request.body
        if not _verified(provider, request.headers.get("Acuerda-Signature", ""), body):
            return Response({"detail": _("Bad or missing signature.")}, status=status.HTTP_401_UNAUTHORIZED)
        try:
            event = NotificationSerializer(data=json.loads(body))
        except ValueError:
            return Response({"detail": _("The body is not JSON.")}, status=status.HTTP_400_BAD_REQUEST)
        event.is_valid(raise_exception=True)
        data = event.validated_data
        key = f"provider:{provider}:{data['payment_id']}"[:160]
        if data["type"] == "payment.refunded":
            payment = Payment.objects.filter(idempotency_key=key).first()
            if payment is None:
                return Response({"payment_id": [_("Unknown payment.")]}, status=status.HTTP_404_NOT_FOUND)
            if payment.amount != data["amount"] or payment.currency != data["currency"]:
                # A partial refund is a decision for the back office, not an automatic reversal.
                return Response({"amount": [_("Only a refund of the whole payment is applied automatically; "
                                              "partial refunds are handled by the back office.")]},
                                status=status.HTTP_422_UNPROCESSABLE_ENTITY)
            payment = payment_reverse(payment=payment, actor=None, reason=f"Refunded by {provider} ({data['id']})")
            return Response(PaymentSerializer(payment).data)
        account = Account.objects.select_related("debtor").filter(
            portfolio__creditor__code=data["creditor"], creditor_reference=data["account_reference"]).first()
        existed = Payment.objects.filter(idempotency_key=key).exists()
        try:
            if account is None:
                raise PaymentError(_("No account %(ref)s of creditor %(creditor)s.")
                                   % {"ref": data["account_reference"], "creditor": data["creditor"]})
            payment = payment_register(
                debtor=account.debtor, amount=data["amount"], currency=data["currency"], received_on=data["paid_on"],
                method=PaymentMethod.CARD, source=PaymentSource.PROVIDER, idempotency_key=key, actor=None,
                account=account, reference=data["payment_id"], payer_name=data["payer_name"],
            )
        except PaymentConflict as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except PaymentError as exc:
            # The money was taken: it waits in the reconciliation queue instead of being lost.
            line = provider_line_queue(provider, data, str(exc))
            return Response({"detail": str(exc), "queued_for_review": line.pk}, status=status.HTTP_202_ACCEPTED)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)
