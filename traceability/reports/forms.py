from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from traceability.dispositions.forms import STATUS_CHOICES


class ReportFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    group = forms.ModelChoiceField(
        label=_("Stakeholder group"), queryset=None, required=False, empty_label=_("All groups")
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args: object, groups: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
