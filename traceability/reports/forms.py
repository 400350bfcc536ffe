from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from traceability.consultations import content_languages
from traceability.consultations.content_languages import NOT_RECORDED
from traceability.consultations.models import CommentRound, Submission, SubmissionStatus
from traceability.consultations.search import matching
from traceability.consultations.widgets import LongSelect
from traceability.dispositions.forms import STATUS_CHOICES
from traceability.dispositions.models import ClauseLink, ExclusionGround
from traceability.outcomes.models import Clause

GROUND_CHOICES = [("", _("Any ground")), *ExclusionGround.choices]
# Every value the language filter understands, whichever a process offers: a fixed list (the page cache keeps
# pages filtered by one of them, see views._SHARED_QUERIES).
LANGUAGE_VALUES = frozenset((*content_languages.CODES, NOT_RECORDED))


def language_filter_choices(present: list[str]) -> list[tuple[str, str]]:
    """The language filter's options: the languages of ``present`` (the process's, from its tally), named in the
    reader's language, then "Not recorded" when some submissions have none."""
    options = [("", _("All languages")), *content_languages.choices(code for code in present if code)]
    if "" in present:
        options.append((NOT_RECORDED, _("Not recorded")))
    return options


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CommentRound) -> str:
        return str(obj)


class ClauseFilterField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Clause) -> str:
        return f"{obj.label} {obj.heading}".strip() if obj.heading else obj.label


class ReportFilterForm(forms.Form):
    """Filters of the report's list of submissions. Unknown values are form errors, never server errors."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=200, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    round = RoundChoiceField(
        label=_("Comment round"), queryset=None, required=False, to_field_name="number", empty_label=_("All rounds")
    )
    group = forms.ModelChoiceField(
        label=_("Stakeholder group"), queryset=None, required=False, empty_label=_("All groups")
    )
    country = forms.ChoiceField(label=_("Country"), required=False, widget=LongSelect)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    ground = forms.ChoiceField(label=_("Exclusion ground"), choices=GROUND_CHOICES, required=False)
    # Not "language": that parameter opens any page in another interface language (traceability.languages).
    written_in = forms.ChoiceField(
        label=_("Language"),
        required=False,
        error_messages={"invalid_choice": _("That is not a language Trace knows. Choose one from the list.")},
    )
    clause = ClauseFilterField(
        label=_("Reflected in clause"),
        queryset=None,
        required=False,
        to_field_name="eid",
        empty_label=_("Any clause"),
        widget=LongSelect,
    )

    def __init__(self, *args: object, groups: QuerySet, clauses: QuerySet, rounds: QuerySet, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["round"].queryset = rounds
        self.fields["clause"].queryset = clauses
        self.fields["country"].choices = [("", _("All countries")), *countries]
        # Validated against every language Trace knows (no query); shown with the process's own (show_choices).
        self.fields["written_in"].choices = [("", ""), *((code, code) for code in sorted(LANGUAGE_VALUES))]

    def show_choices(self, *, groups: list[tuple[int, str]], clauses: list[Clause], languages: list[str]) -> None:
        """Give the group, clause and language lists their options from rows the page already read, so that
        rendering the form asks the database for nothing (their querysets and fixed lists still validate a
        submitted value)."""
        group, clause = self.fields["group"], self.fields["clause"]
        group.choices = [("", group.empty_label), *groups]
        clause.choices = [("", clause.empty_label), *((c.eid, clause.label_from_instance(c)) for c in clauses)]
        options = language_filter_choices(languages)
        chosen = getattr(self, "cleaned_data", {}).get("written_in", "")
        if chosen and chosen not in {value for value, _label in options}:
            # A language the process has no public submission in (an old link): still shown as chosen.
            options.append((chosen, content_languages.name(chosen) or _("Not recorded")))
        self.fields["written_in"].choices = options

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "").strip()

    def apply(self, submissions: QuerySet[Submission]) -> QuerySet[Submission]:
        data = self.cleaned_data
        if data["round"]:
            submissions = submissions.filter(round=data["round"])
        if data["group"]:
            submissions = submissions.filter(stakeholder_group=data["group"])
        if data["country"]:
            # Only submissions shown by name are public with their country: filtering on it must not tell
            # who, among those shown by stakeholder group only, is from where.
            submissions = submissions.shown_by_name().filter(country=data["country"])
        if data["written_in"]:
            # Only submissions whose words are public: a withdrawn or withheld text's language is not told.
            submissions = submissions.in_language(data["written_in"])
        if data["status"]:
            submissions = submissions.with_status(data["status"])
        if data["ground"]:
            submissions = submissions.filter(status=SubmissionStatus.EXCLUDED, disposition__ground=data["ground"])
        if data["clause"]:
            # Reflected (uptake) in the clause of the report's version, by its identity or one merged into it.
            identity = data["clause"].identity_id
            linked = ClauseLink.objects.filter(
                Q(identity_id=identity) | Q(identity__merged_into_id=identity),
                revision__current_of__isnull=False,
            ).values("revision__submission_id")
            submissions = submissions.filter(status=SubmissionStatus.REFLECTED, pk__in=linked)
        if data["q"]:
            # The words of a withdrawn or withheld submission are not public: never match on them.
            submissions = matching(submissions, data["q"], public=True)
        return submissions


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: object) -> str:
        return f"{obj.number}. {obj.label}"


class CompareForm(forms.Form):
    """Which two adopted versions the redline compares."""

    old = VersionChoiceField(label=_("From version"), queryset=None, to_field_name="number")
    new = VersionChoiceField(label=_("To version"), queryset=None, to_field_name="number")
    all = forms.BooleanField(label=_("Show unchanged clauses too"), required=False)

    def __init__(self, *args: object, versions: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        from traceability.outcomes.models import DocumentVersion

        queryset = DocumentVersion.objects.filter(pk__in=[v.pk for v in versions]).order_by("number")
        self.fields["old"].queryset = queryset
        self.fields["new"].queryset = queryset

    def clean(self) -> dict[str, object]:
        data = super().clean()
        old, new = data.get("old"), data.get("new")
        if old is not None and new is not None and old.number >= new.number:
            raise forms.ValidationError(_("Choose an earlier version first and a later one second."))
        return data


class VerifyReceiptForm(forms.Form):
    """A text pasted to be checked against a submission's receipt. Never stored."""

    # Not stripped here: the receipt's own normalisation (Submission.normalise_text) does that, and only that.
    text = forms.CharField(
        label=_("Text to check"),
        strip=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Paste the text you want to check.")},
    )
