from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .forms import AccountDeleteForm, ProfileForm
from .models import SecurityEvent
from .services import account_anonymise


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved. Past submissions keep the details they were filed with."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    """GET: what deleting means, and the password field. POST: anonymise the account and sign out."""
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        account_anonymise(user=request.user)
        logout(request)
        messages.success(
            request,
            _(
                "Your account was deleted. Your submissions stay in the public record, attributed to a "
                "withdrawn participant of their stakeholder group."
            ),
        )
        return redirect("consultations:process-list")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/delete.html", {"form": form}, status=status)


@require_safe
@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The account's own security log: recent sign-ins, failures and changes, to spot what was not you."""
    events = SecurityEvent.objects.filter(user=request.user).exclude(kind="blocked")[:30]
    return render(request, "accounts/security.html", {"events": events})
