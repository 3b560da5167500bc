from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AnonymiseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the data subject's request, with its date and reference."),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that the personal data will be replaced for good and cannot be recovered."
        ),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the debtor's data is being erased."))
        return reason
