from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from traceability.accounts.forms import HONEYPOT_FIELD, honeypot_error, honeypot_field
from traceability.accounts.models import User
from traceability.text import normalise_newlines

from . import content_languages
from .content_languages import LanguageSource
from .models import Attribution, Process, StakeholderGroup, Submission
from .services import SubmissionContent
from .widgets import LongSelect


def _clause_identities():  # type: ignore[no-untyped-def]
    # Clause identities belong to the outcomes app, which builds on this one: reach them through the relation.
    return Submission._meta.get_field("target").related_model.objects


class GroupField(forms.ModelChoiceField):
    """The stakeholder group filed for. Once declared (disabled, its value the group read with the author's first
    submission), that group is taken as it is, without reading it again."""

    def to_python(self, value: object) -> object:
        if self.disabled and isinstance(value, StakeholderGroup):
            return value
        return super().to_python(value)


class SubmissionForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("A short summary of your suggestion."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    text = forms.CharField(
        label=_("Your suggestion"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
        help_text=_("Up to 20,000 characters. A SHA-256 fingerprint of this text is recorded on your receipt."),
    )
    language = forms.ChoiceField(
        label=_("Language of your submission"),
        # A callable: the names are in the reader's language, read when the form is shown.
        choices=lambda: [("", _("Detect it from the text")), *content_languages.choices()],
        required=False,
        widget=LongSelect,
        help_text=_(
            "Trace recognises the language of your title and text. If it cannot tell, it takes the language of this "
            "page. Choose one if you want to be sure."
        ),
        error_messages={
            "invalid_choice": _("That is not a language Trace knows. Choose one from the list, or let Trace detect it.")
        },
    )
    target_clause = forms.CharField(
        label=_("Clause it refers to (optional)"),
        max_length=40,
        required=False,
        help_text=_("The number of the clause in the outcome document, e.g. 3.2 or 4(a)."),
    )
    proposed_change = forms.CharField(
        label=_("Proposed change (optional)"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        help_text=_("Wording you would like the document to use."),
    )
    stakeholder_group = GroupField(
        label=_("Stakeholder group"),
        queryset=StakeholderGroup.objects.none(),
        empty_label=None,
        help_text=_("The group on whose behalf you submit. It is recorded with the submission."),
    )
    attribution = forms.ChoiceField(
        label=_("Public attribution"),
        choices=Attribution.choices,
        initial=Attribution.NAME,
        widget=forms.RadioSelect,
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput)
    # The permanent identity of the clause commented on ("comment on this paragraph"); empty for the whole text.
    target = forms.ModelChoiceField(queryset=_clause_identities().none(), required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: object, process: Process, author: User, declared: StakeholderGroup | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.process = process
        self.fields[HONEYPOT_FIELD] = honeypot_field()
        self.fields["target"].queryset = _clause_identities().filter(process=process)
        self.fields["target"].error_messages["invalid_choice"] = _(
            "That clause is not part of this process's document. Comment on the draft as a whole instead."
        )
        # Commenting on one clause: its number is recorded from the document, not typed.
        self.target_clause = target_clause_for(self)
        if self.target_clause is not None:
            self.fields["target_clause"].widget = forms.HiddenInput()
        groups = StakeholderGroup.objects.filter(process=process)
        self.fields["stakeholder_group"].queryset = groups
        if declared is not None:
            # Declared with the author's first submission here: shown, never changed by the author.
            field = self.fields["stakeholder_group"]
            field.disabled = True
            field.help_text = _(
                "You file for this group in this process, as with your first submission here. "
                "One account speaks for one group in a process."
            )
            self.initial["stakeholder_group"] = declared
            if not self.is_bound and "attribution" not in self.initial:
                # A repeat filer keeps the attribution they chose last here: a name is never shown by default
                # to someone who asked to be shown by group only.
                last = (
                    Submission.objects.filter(process=process, author=author)
                    .order_by("-number")
                    .values_list("attribution", flat=True)
                    .first()
                )
                if last:
                    self.initial["attribution"] = last
        elif not self.is_bound and "stakeholder_group" not in self.initial:
            self.initial["stakeholder_group"] = next(
                (group.pk for group in groups if group.kind == author.stakeholder_kind), None
            )
        self.initial.setdefault("form_token", uuid.uuid4())

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()

    def clean_text(self) -> str:
        # Browsers send a textarea's line breaks as CRLF; store (and fingerprint) them as the
        # person typed and sees them, or the receipt's SHA-256 would not match their own copy.
        text = Submission.normalise_text(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError(_("Write your suggestion."))
        return text

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get(HONEYPOT_FIELD):
            # Above the form, where it is seen: the field itself is off screen.
            raise honeypot_error(action="file_submission", process_id=self.process.pk)
        # The clause commented on travels in a hidden field: say what is wrong with it above the form.
        if "target" in self.errors:
            self.add_error(None, self.errors.pop("target"))
        elif data.get("target") is not None:
            clause = target_clause_for(self)
            data["target_clause"] = clause.label if clause is not None else ""
        return data

    def content(self) -> SubmissionContent:
        data = self.cleaned_data
        return SubmissionContent(
            title=data["title"],
            text=data["text"],
            stakeholder_group=data["stakeholder_group"],
            target_clause=data["target_clause"].strip(),
            target=data["target"],
            proposed_change=normalise_newlines(data["proposed_change"]).strip(),
            attribution=data["attribution"],
            language=data["language"],
        )

    @classmethod
    def initial_for(cls, submission: Submission) -> dict[str, object]:
        return {
            "title": submission.title,
            "text": submission.text,
            "target_clause": submission.target_clause,
            "target": submission.target_id,
            "proposed_change": submission.proposed_change,
            "stakeholder_group": submission.stakeholder_group_id,
            "attribution": submission.attribution,
            # A language the author chose is shown chosen; one detected is detected again from the edited text.
            "language": submission.language if submission.language_source == LanguageSource.CHOSEN else "",
            "form_token": submission.form_token,
        }


def target_clause_for(form: SubmissionForm) -> object | None:
    """The clause the form comments on, as the newest adopted version words it (for the page), or None."""
    value = str(form["target"].value() or "")
    if not (value.isascii() and value.isdecimal() and len(value) < 19):  # a valid primary key, or nothing
        return None
    identity = form.fields["target"].queryset.filter(pk=int(value)).first()
    if identity is None:
        return None
    return (
        identity.occurrences.filter(version__adopted_at__isnull=False)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )
