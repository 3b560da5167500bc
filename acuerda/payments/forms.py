from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from acuerda.creditors.models import Creditor
from acuerda.payments.choices import PaymentMethod


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0.01"), max_digits=15, decimal_places=2,
                                localize=True)
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=140)
    payer_name = forms.CharField(label=_("Payer"), required=False, max_length=200)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64,
                            help_text="One per form: submitting twice registers once.")

    def clean_received_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("A payment cannot be received in the future."))
        if value.year < 2000:
            raise forms.ValidationError(_("That date is too far in the past for a payment."))
        return value


class StatementUploadForm(forms.Form):
    file = forms.FileField(label=_("Statement file"))
    format = forms.ChoiceField(label=_("Format"), choices=[("auto", _("Detect")), ("norma43", "Norma 43 (AEB)"),
                                                           ("camt053", "camt.053"), ("camt054", "camt.054")])


class ResolveForm(forms.Form):
    account_reference = forms.CharField(label=_("Account reference"), required=False, max_length=64)
    candidate = forms.IntegerField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
    action = forms.ChoiceField(choices=[("resolve", _("Apply")), ("ignore", _("Not a debtor's payment"))])


class RemittanceBuildForm(forms.Form):
    creditor: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Creditor"), queryset=Creditor.objects.none())
    period = forms.RegexField(label=_("Month"), regex=r"^\d{4}-\d{2}$", widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, *args: Any, creditors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["creditor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = creditors
