"""Forms of the organisers' document workspace: matching review and comment rounds."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class MatchFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Changed clauses only")), ("all", _("Every clause"))],
    )


class MatchCorrectionForm(forms.Form):
    previous = forms.CharField(
        label=_("Comes from (labels in the version before)"),
        required=False,
        max_length=500,
        help_text=_("Comma-separated, e.g. 12 or 3(a), 3(b) for a merge. Leave empty for a new clause."),
    )
    editorial = forms.BooleanField(
        label=_("Editorial change only (keeps links confirmed)"),
        required=False,
    )

    def clean_previous(self) -> list[str]:
        labels = [label.strip() for label in self.cleaned_data["previous"].replace("\x00", "").split(",")]
        labels = [label for label in labels if label]
        if len(set(labels)) != len(labels):
            raise forms.ValidationError(_("Name each clause only once."))
        return labels


class RoundOpenForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("Server time. The round opens now and closes at this time; filings after it are refused."),
    )
