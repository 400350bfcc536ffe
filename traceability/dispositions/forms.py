from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from traceability.consultations.models import StakeholderGroup, SubmissionStatus
from traceability.outcomes.models import Clause
from traceability.text import normalise_newlines

from .models import ANSWER_MAX_LENGTH, REASON_MAX_LENGTH, ExclusionGround, Extent, ResponseKind
from .services import LinkSpec

STATUS_CHOICES = [("", _("Any status")), *SubmissionStatus.choices]


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=200, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    group = forms.ModelChoiceField(
        label=_("Stakeholder group"),
        queryset=StakeholderGroup.objects.none(),
        required=False,
        empty_label=_("All groups"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args: object, groups: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class ClauseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Clause) -> str:
        text = obj.heading or obj.text
        return f"{obj.label} — {text[:80]}"


class ClauseLinkForm(forms.Form):
    clause = ClauseChoiceField(label=_("Clause"), queryset=Clause.objects.none(), required=False)
    extent = forms.ChoiceField(label=_("Extent"), choices=Extent.choices, initial=Extent.FULL)
    note = forms.CharField(
        label=_("How it is reflected"), required=False, max_length=2000, widget=forms.TextInput(attrs={"dir": "auto"})
    )

    def __init__(self, *args: object, clauses: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clause"].queryset = clauses


class BaseClauseLinkFormSet(forms.BaseFormSet):
    _clause_choices: list[tuple[object, str]] | None = None

    def _construct_form(self, i: int, **kwargs: object) -> forms.Form:
        # Every form lists the same clauses: read them once, not once per form.
        form = super()._construct_form(i, **kwargs)
        field = form.fields["clause"]
        if self._clause_choices is None:
            self._clause_choices = list(field.choices)
        field.choices = self._clause_choices
        return form

    def clean(self) -> None:
        if any(self.errors):
            return
        chosen = [form.cleaned_data["clause"] for form in self.forms if form.cleaned_data.get("clause")]
        if not chosen:
            raise forms.ValidationError(_("Choose at least one clause that reflects the submission."))
        if len({clause.pk for clause in chosen}) != len(chosen):
            raise forms.ValidationError(_("Each clause can be linked only once."))

    def links(self) -> list[LinkSpec]:
        return [
            LinkSpec(
                clause=form.cleaned_data["clause"], extent=form.cleaned_data["extent"], note=form.cleaned_data["note"]
            )
            for form in self.forms
            if form.cleaned_data.get("clause")
        ]


ClauseLinkFormSet = forms.formset_factory(
    ClauseLinkForm, formset=BaseClauseLinkFormSet, extra=2, min_num=1, max_num=20, absolute_max=20
)


class ExcludeForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=ExclusionGround.choices, widget=forms.RadioSelect)
    legal_provision = forms.CharField(
        label=_("Legal provision cited"),
        required=False,
        max_length=2000,
        help_text=_("For a legal ground only, and required there: the law, article and paragraph."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_(
            "For public morality only, and required there: why including it would be contrary to public morality."
        ),
    )
    withhold = forms.BooleanField(
        label=_("Withhold the text and the author's name from the public"),
        required=False,
        help_text=_(
            "For a legal ground that forbids republishing the text (e.g. unlawful content). An exclusion on public "
            "morality is always withheld. The decision, its ground and its citation or justification stay public."
        ),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        ground = data.get("ground")
        provision, justification = ((data.get(name) or "").strip() for name in ("legal_provision", "justification"))
        if ground == ExclusionGround.LEGAL:
            if not provision:
                self.add_error("legal_provision", _("Cite the legal provision that requires the exclusion."))
            if justification:
                # Never kept with a legal ground: refused rather than dropped without a word.
                self.add_error(
                    "justification",
                    _(
                        "A legal ground is stated by the provision it cites, and this text would not be kept: clear "
                        "it, or put what it says in the provision, or choose public morality."
                    ),
                )
        if ground == ExclusionGround.PUBLIC_MORALITY:
            if not justification:
                self.add_error("justification", _("Give the justification on grounds of public morality."))
            if provision:
                self.add_error(
                    "legal_provision",
                    _(
                        "Public morality is stated by its justification, and this provision would not be kept: clear "
                        "it, or choose the legal ground."
                    ),
                )
        return data


class NotTakenUpForm(forms.Form):
    reason = forms.CharField(
        label=_("Public reason"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_(
            "Why the suggestion was considered and not adopted. Shown on the report. This is not a legitimate "
            "ground: the report counts it apart from exclusions on law or public morality."
        ),
        error_messages={"required": _("Say publicly why the suggestion was not taken up.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say publicly why the suggestion was not taken up."))
        return reason


class SameAsForm(forms.Form):
    original = forms.CharField(
        label=_("Same as submission"),
        max_length=24,
        help_text=_("Its reference, e.g. IGF25-00012. This submission takes its decision and follows it."),
        error_messages={"required": _("Give the reference of the submission it duplicates.")},
    )


class MoveLinkForm(forms.Form):
    """Move a link to another clause of the current version, named by its label (keyboard-friendly at any size)."""

    label = forms.CharField(label=_("Move to clause"), max_length=60, help_text=_("Its number, e.g. 12 or 3(a)."))

    def __init__(self, *args: object, clauses: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.clauses = clauses

    def clean_label(self) -> Clause:
        label = self.cleaned_data["label"].strip()
        clause = self.clauses.filter(label=label).first()
        if clause is None:
            raise forms.ValidationError(_("The current version has no clause labelled %(label)s.") % {"label": label})
        if not clause.linkable:
            raise forms.ValidationError(_("A heading organises the text; choose a paragraph under it."))
        return clause


class ResponseForm(forms.Form):
    """The submitter's reply to the decision they read (``revision``: its number, so a stale page is refused)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    kind = forms.ChoiceField(
        label=_("Your reply"),
        choices=[
            (ResponseKind.AGREE, _("I agree with this decision")),
            (ResponseKind.CONTEST, _("I contest this decision")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you agree with the decision or contest it.")},
    )
    reason = forms.CharField(
        label=_("Why you contest it"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=_("Required when you contest; shown publicly on this page with the organisers' answer."),
    )

    def clean_reason(self) -> str:
        return normalise_newlines(self.cleaned_data["reason"]).strip()

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("kind") == ResponseKind.CONTEST and not data.get("reason"):
            self.add_error("reason", _("Say why you contest the decision."))
        return data


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Public answer"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Shown on the submission's trace page. A contest is answered once."),
        error_messages={"required": _("Write the answer to the submitter.")},
    )

    def clean_answer(self) -> str:
        answer = normalise_newlines(self.cleaned_data["answer"]).strip()
        if not answer:
            raise forms.ValidationError(_("Write the answer to the submitter."))
        return answer
