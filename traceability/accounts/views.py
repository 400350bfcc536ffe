from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .forms import AccountDeleteForm, ProfileForm, SignInForm, SignUpForm
from .services import account_anonymise


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("reports:me")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.display_name})
        if url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return HttpResponseRedirect(next_url)  # a URL, never a view name: redirect('0') would be a 500
        return redirect("consultations:process-list")
    return render(request, "accounts/sign_up.html", {"form": form, "next": next_url})


class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


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
