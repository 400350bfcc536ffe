from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import User


class SignUpForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("display_name", "email", "organisation", "stakeholder_kind", "country")
        help_texts = {
            "display_name": _("Shown beside your submissions if you choose to be named."),
            "email": _("Used to sign in and for receipts. Never shown to others."),
            "stakeholder_kind": _("The group you speak for. It is recorded with each submission."),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].required = True
        self.fields["organisation"].required = True

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        # Addresses are stored in lower case at sign-up; accept them as the person types them.
        return self.cleaned_data["username"].strip().lower()


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("display_name", "organisation", "stakeholder_kind", "country", "notify_updates")


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
