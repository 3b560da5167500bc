"""The workspace's forms. They only parse and check shapes; the services decide."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from acuerda.debtors.choices import Channel
from acuerda.debtors.models import ContactPoint
from acuerda.workspace.catalogue import disposition_label
from acuerda.workspace.choices import Direction, PartyReached, Stage
from acuerda.workspace.models import Disposition, Script
from acuerda.workspace.negotiation import Frequency, Offer

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _contact_label(point: ContactPoint) -> str:
    owner = f" · {point.get_owner_role_display()}" if point.owner_role != "debtor" else ""
    state = f" ({point.get_status_display()})" if point.status != "valid" else ""
    return f"{point.get_kind_display()}: {point.value}{owner}{state}"


class ContactPointField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _contact_label(obj)


class DispositionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return disposition_label(obj)


CALLBACK_HORIZON = dt.timedelta(days=90)
MAX_AMOUNT = Decimal("9999999999999999.99")  # what the amount columns hold (18 digits, 2 decimals)


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A datetime-local input is in the agency's zone."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment)


def callback_moment(moment: dt.datetime | None) -> dt.datetime | None:
    """A callback within the next 90 days (beyond that it is a plan, not a callback)."""
    moment = aware(moment)
    if moment is not None and moment > timezone.now() + CALLBACK_HORIZON:
        raise forms.ValidationError(_("A callback is at most 90 days ahead."))
    return moment


class InteractionForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.CALL)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, initial=Direction.OUTBOUND,
                                  widget=forms.RadioSelect)
    contact_point = ContactPointField(label=_("Contact point"), queryset=ContactPoint.objects.none(), required=False)
    disposition = DispositionField(label=_("Disposition"), queryset=Disposition.objects.none(),
                                   widget=forms.RadioSelect, empty_label=None)
    party_reached = forms.ChoiceField(label=_("Who was reached"), choices=[("", "—"), *PartyReached.choices],
                                      required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    decision = forms.IntegerField(required=False, widget=forms.HiddenInput)
    promise_amount = forms.DecimalField(label=_("Promised amount"), required=False, min_value=Decimal("0.01"),
                                        max_value=MAX_AMOUNT, decimal_places=2, localize=True)
    promise_date = forms.DateField(label=_("Promised date"), required=False, widget=_DATE)
    callback_at = forms.DateTimeField(label=_("Call back at"), required=False, widget=_MOMENT)

    def __init__(self, *args: Any, dispositions: list[Disposition], contact_points: list[ContactPoint],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        disposition_field = self.fields["disposition"]
        assert isinstance(disposition_field, forms.ModelChoiceField)
        disposition_field.queryset = Disposition.objects.filter(pk__in=[d.pk for d in dispositions])
        disposition_field.widget.choices = [(d.pk, disposition_label(d)) for d in dispositions]
        point_field = self.fields["contact_point"]
        assert isinstance(point_field, forms.ModelChoiceField)
        point_field.queryset = ContactPoint.objects.filter(pk__in=[p.pk for p in contact_points])
        point_field.widget.choices = [("", "—"), *((p.pk, _contact_label(p)) for p in contact_points)]
        self.hotkeys = {d.pk: d.hotkey for d in dispositions if d.hotkey}

    def clean_callback_at(self) -> dt.datetime | None:
        return callback_moment(self.cleaned_data.get("callback_at"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        disposition: Disposition | None = data.get("disposition")
        if disposition is None:
            return data
        if disposition.effect == "promise":
            if data.get("promise_amount") is None:
                self.add_error("promise_amount", _("A promise needs its amount."))
            if data.get("promise_date") is None:
                self.add_error("promise_date", _("A promise needs its date."))
        if disposition.effect == "callback" and data.get("callback_at") is None:
            self.add_error("callback_at", _("A callback needs its time."))
        if not disposition.party_reached and not data.get("party_reached"):
            self.add_error("party_reached", _("Say who was reached."))
        return data


class _OwnIds:
    """Forms that share the 360° page get ids of their own (``offer_note``, not a second
    ``id_note``), so each label names one field."""

    ID_PREFIX = "id"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.ID_PREFIX}_%s")
        super().__init__(*args, **kwargs)


class OfferForm(_OwnIds, forms.Form):
    """The negotiation calculator's inputs."""

    ID_PREFIX = "offer"

    discount_percent = forms.DecimalField(label=_("Discount (%)"), min_value=Decimal("0"), max_value=Decimal("99.99"),
                                          decimal_places=2, initial=Decimal("0"), localize=True)
    waive_interest = forms.BooleanField(label=_("Waive interest"), required=False)
    waive_fees = forms.BooleanField(label=_("Waive fees"), required=False)
    instalments = forms.IntegerField(label=_("Instalments"), min_value=1, max_value=360, initial=1)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices, initial=Frequency.MONTHLY)
    first_payment_on = forms.DateField(label=_("First payment on"), widget=_DATE)
    down_payment = forms.DecimalField(label=_("Down payment"), min_value=Decimal("0"), max_value=MAX_AMOUNT,
                                      decimal_places=2, initial=Decimal("0"), localize=True)
    note = forms.CharField(label=_("Note for the supervisor"), required=False, max_length=500)

    def offer(self) -> Offer:
        data = self.cleaned_data
        return Offer(
            first_payment_on=data["first_payment_on"], discount_percent=data["discount_percent"],
            waive_interest=data["waive_interest"], waive_fees=data["waive_fees"],
            instalments=data["instalments"], frequency=Frequency(data["frequency"]),
            down_payment=data["down_payment"],
        )

    @classmethod
    def initial_for(cls, offer: Offer | None = None, *, today: dt.date | None = None) -> dict[str, Any]:
        if offer is None:
            return {"first_payment_on": (today or timezone.localdate()) + dt.timedelta(days=7)}
        return {"discount_percent": offer.discount_percent, "waive_interest": offer.waive_interest,
                "waive_fees": offer.waive_fees, "instalments": offer.instalments, "frequency": offer.frequency.value,
                "first_payment_on": offer.first_payment_on, "down_payment": offer.down_payment}


class PromiseForm(_OwnIds, forms.Form):
    ID_PREFIX = "promise"
    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0.01"), max_value=MAX_AMOUNT, decimal_places=2,
                                localize=True)
    due_on = forms.DateField(label=_("Pay by"), widget=_DATE)


class CallbackForm(_OwnIds, forms.Form):
    ID_PREFIX = "callback"
    due_at = forms.DateTimeField(label=_("Call at"), widget=_MOMENT)
    contact_point = ContactPointField(label=_("Phone"), queryset=ContactPoint.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args: Any, contact_points: list[ContactPoint], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contact_point"]
        assert isinstance(field, forms.ModelChoiceField)
        phones = [p for p in contact_points if p.kind == "phone"]
        field.queryset = ContactPoint.objects.filter(pk__in=[p.pk for p in phones])
        field.widget.choices = [("", "—"), *((p.pk, _contact_label(p)) for p in phones)]

    def clean_due_at(self) -> dt.datetime | None:
        return callback_moment(self.cleaned_data.get("due_at"))


class LeadForm(_OwnIds, forms.Form):
    ID_PREFIX = "lead"
    consent_evidence = forms.CharField(
        label=_("Consent given"), max_length=255,
        help_text=_("How the debtor agreed to hear from the creditor's sales team, e.g. 'said yes on the call'."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class DecisionForm(OfferForm):
    """A supervisor's answer; the offer fields are the counter-offer's terms."""

    ID_PREFIX = "id"  # one per request on the approvals page, told apart by its prefix

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject")),
                                          ("counter", _("Counter-offer"))])
    answer = forms.CharField(label=_("Answer to the agent"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.data.get(self.add_prefix("decision")) != "counter":  # the terms matter for a counter-offer only
            for name in ("discount_percent", "instalments", "frequency", "first_payment_on", "down_payment"):
                self.fields[name].required = False


class ScriptForm(forms.ModelForm):
    class Meta:
        model = Script
        fields = ["title", "creditor", "stage", "bucket", "language", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args: Any, creditors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["creditor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = creditors
        stage = self.fields["stage"]
        assert isinstance(stage, forms.ChoiceField)
        stage.choices = [("", _("Any stage")), *Stage.choices]
