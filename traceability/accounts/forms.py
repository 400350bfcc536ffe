from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from traceability import languages

from .models import BlockReason, StakeholderKind, User

# The honeypot: a text field that people never see (it is moved off screen by the stylesheet, skipped
# by the keyboard and by assistive technology, and labelled to be left empty) and form-filling robots do.
HONEYPOT_FIELD = "leave_this_empty"  # a name no browser or password manager fills in


class HoneypotInput(forms.TextInput):
    """Never shows a value: a form sent back after an autofilled honeypot comes back with it empty,
    so the person can simply send it again."""

    def format_value(self, value: object) -> None:
        return None


def honeypot_field() -> forms.CharField:
    return forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=HoneypotInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


def honeypot_error(*, action: str, process_id: int | None = None) -> forms.ValidationError:
    """Log the blocked attempt, and the message the form shows (a person who somehow filled the field
    in learns why nothing was saved)."""
    from . import audit

    request = allauth_context.request
    if request is not None:
        audit.blocked(request, action=action, reason=BlockReason.HONEYPOT, process_id=process_id)
        request.trace_block_recorded = True
    return forms.ValidationError(
        _(
            "A field meant to stay empty was filled in (perhaps by your browser's autofill), so nothing was "
            "saved. Check the form and send it again."
        ),
        code="honeypot",
    )


class SignUpForm(AllauthSignupForm):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=120,
        help_text=_("Shown beside your submissions if you choose to be named."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    organisation = forms.CharField(
        label=_("Organisation"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    stakeholder_kind = forms.ChoiceField(
        label=_("Stakeholder group"),
        choices=[("", "---------"), *StakeholderKind.choices],
        help_text=_(
            "The group you speak for. It is recorded with your submissions, and organisers see it in every "
            "process's figures, so only an organiser can change it once you have filed."
        ),
    )
    country = LazyTypedChoiceField(label=_("Country"), choices=countries)
    field_order = ["display_name", "email", "organisation", "stakeholder_kind", "country", "password1", "password2"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")
        self.fields["password2"].label = _("Password confirmation")
        self.fields["email"].help_text = _(
            "Used to sign in and for receipts. Never shown to others. We send a link to confirm it."
        )
        # The model's field: its choices translate lazily, and start with an empty one, so nobody is
        # counted under the first country of the list by not choosing.
        country = User._meta.get_field("country").formfield(required=True, label=_("Country"))
        self.fields["country"] = country
        self.fields[HONEYPOT_FIELD] = honeypot_field()
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)  # labels say it; placeholders only repeat them

    def try_save(self, request: object) -> tuple[object, object]:
        if self.account_already_exists:
            # allauth then only mails the address's owner; hash the password anyway, so that the answer
            # takes as long as a real sign-up and its timing does not tell that the address has an account.
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)

    def clean(self) -> dict:
        data = super().clean()
        if data.get(HONEYPOT_FIELD):
            # Above the form, where it is seen: the field itself is off screen.
            raise honeypot_error(action="signup")
        password = data.get("password1")
        if password and "password1" not in self.errors:
            # allauth checks the password against the address only; ours also knows the name and organisation.
            person = User(
                email=data.get("email", ""),
                display_name=data.get("display_name", ""),
                organisation=data.get("organisation", ""),
            )
            try:
                password_validation.validate_password(password, person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class SignInForm(AllauthLoginForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail address")
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)


class LanguageSelect(forms.Select):
    """Each language's option in that language's own name, marked as such (``lang``): a screen reader reads
    "français" in French on an English page (WCAG 3.1.2)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):  # type: ignore[no-untyped-def]
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["lang"] = value
        return option


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("display_name", "organisation", "stakeholder_kind", "country", "notify_updates", "language")
        # Names are typed in any script: each field takes the direction of what is typed in it.
        widgets = {
            "display_name": forms.TextInput(attrs={"dir": "auto"}),
            "organisation": forms.TextInput(attrs={"dir": "auto"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Each language under its own name, as the footer's switcher offers them; blank only for older accounts.
        choices = [(code, translation.get_language_info(code)["name_local"]) for code in languages.offered()]
        self.fields["language"] = forms.ChoiceField(
            label=self.fields["language"].label,
            help_text=self.fields["language"].help_text,
            choices=choices,
            widget=LanguageSelect,
        )
        if not self.initial.get("language"):
            self.initial["language"] = translation.get_language() or settings.LANGUAGE_CODE
        # The group is declared once: after the first submission, only an organiser or admin changes it,
        # so one account cannot speak for one group today and another tomorrow.
        if self.instance.pk and self.instance.submissions.exists():
            field = self.fields["stakeholder_kind"]
            field.disabled = True
            field.help_text = _(
                "Fixed since your first submission: your submissions count in this group's figures. "
                "Ask the organisers if it is wrong."
            )


class AccountDeleteForm(forms.Form):
    """Closing an account asks for the password again: a session left open is not enough."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password. Your account was not deleted."))
        return password
