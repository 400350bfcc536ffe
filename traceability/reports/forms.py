from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from traceability.consultations.models import Submission
from traceability.dispositions.forms import STATUS_CHOICES
from traceability.dispositions.models import ExclusionGround
from traceability.dispositions.selectors import filter_status
from traceability.outcomes.models import Clause

GROUND_CHOICES = [("", _("Any ground")), *ExclusionGround.choices]


class ClauseFilterField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Clause) -> str:
        return f"{obj.label} {obj.heading}".strip() if obj.heading else obj.label


class ReportFilterForm(forms.Form):
    """Filters of the report's list of submissions. Unknown values are form errors, never server errors."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    group = forms.ModelChoiceField(
        label=_("Stakeholder group"), queryset=None, required=False, empty_label=_("All groups")
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    ground = forms.ChoiceField(label=_("Exclusion ground"), choices=GROUND_CHOICES, required=False)
    clause = ClauseFilterField(
        label=_("Reflected in clause"), queryset=None, required=False, to_field_name="eid", empty_label=_("Any clause")
    )

    def __init__(self, *args: object, groups: QuerySet, clauses: QuerySet, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["clause"].queryset = clauses
        self.fields["country"].choices = [("", _("All countries")), *countries]

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "").strip()

    def apply(self, submissions: QuerySet[Submission]) -> QuerySet[Submission]:
        data = self.cleaned_data
        if data["group"]:
            submissions = submissions.filter(stakeholder_group=data["group"])
        if data["country"]:
            submissions = submissions.filter(country=data["country"])
        if data["status"]:
            submissions = filter_status(submissions, data["status"])
        if data["ground"]:
            submissions = submissions.filter(withdrawn_at__isnull=True, disposition__ground=data["ground"])
        if data["clause"]:
            # A submission links a clause at most once, so this join adds no duplicate rows.
            submissions = submissions.filter(withdrawn_at__isnull=True, disposition__links__clause=data["clause"])
        if data["q"]:
            term = data["q"]
            # The words of a withdrawn submission are no longer public: never match on them.
            words = Q(title__icontains=term) | Q(text__icontains=term)
            submissions = submissions.filter((words & Q(withdrawn_at__isnull=True)) | Q(reference__iexact=term))
        return submissions
