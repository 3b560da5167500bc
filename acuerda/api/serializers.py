from __future__ import annotations

from rest_framework import serializers

from acuerda.creditors.models import Creditor
from acuerda.debtors.models import ContactPoint, Debtor
from acuerda.debts.choices import AccountStatus
from acuerda.debts.models import Account, AccountEvent, LedgerEntry
from acuerda.portfolios.models import CommissionRate, Portfolio


class CreditorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Creditor
        fields = ["id", "code", "legal_name", "country", "tax_id_type", "tax_id", "default_currency", "sector",
                  "bucket_edges", "payment_allocation_order", "is_active"]


class CommissionRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommissionRate
        fields = ["bucket", "rate_percent"]


class PortfolioSerializer(serializers.ModelSerializer):
    creditor: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction = serializers.CharField(read_only=True)
    commission_rates = CommissionRateSerializer(many=True, read_only=True)

    class Meta:
        model = Portfolio
        fields = ["id", "creditor", "reference", "name", "placed_on", "recall_on", "currency", "jurisdiction",
                  "status", "commission_rates"]


class ContactPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactPoint
        fields = ["id", "kind", "value", "phone_line_type", "timezones", "address_line", "postal_code", "city",
                  "region", "country", "source", "owner_role", "owner_name", "status", "is_primary"]


class DebtorSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Debtor
        fields = ["id", "kind", "country", "id_type", "id_number", "display_name", "first_name", "last_name",
                  "company_name", "birth_date", "preferred_language", "timezone", "is_vulnerable",
                  "vulnerability_reason", "vulnerability_review_on"]


class DebtorDetailSerializer(DebtorSerializer):
    contact_points = ContactPointSerializer(many=True, read_only=True)

    class Meta(DebtorSerializer.Meta):
        fields = [*DebtorSerializer.Meta.fields, "contact_points"]


class AccountSerializer(serializers.ModelSerializer):
    portfolio: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
    debtor: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
    balance = serializers.SerializerMethodField()
    days_past_due = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = ["id", "portfolio", "debtor", "creditor_reference", "product", "currency", "original_principal",
                  "original_interest", "original_fees", "principal", "interest", "fees", "balance",
                  "first_unpaid_due_on", "days_past_due", "status", "status_changed_at"]

    def get_balance(self, obj: Account) -> str:
        return str(obj.balance.amount)

    def get_days_past_due(self, obj: Account) -> int:
        return obj.days_past_due()


class LedgerEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "principal", "interest", "fees", "effective_on", "posted_at", "reverses",
                  "external_reference", "memo"]


class AccountEventSerializer(serializers.ModelSerializer):
    actor: serializers.StringRelatedField = serializers.StringRelatedField()

    class Meta:
        model = AccountEvent
        fields = ["id", "kind", "at", "actor", "reason", "from_status", "to_status", "data"]


class TransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=AccountStatus.choices)
    reason = serializers.CharField(max_length=2000)
