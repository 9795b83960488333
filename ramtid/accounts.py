"""Signing in and the user's own account: the lockout page (django-axes, settings AXES_*) and
changing one's password."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

HOW_TO_CHOOSE = (
    "Minst 12 tecken. Inte ett vanligt lösenord, inte bara siffror, inte likt ditt namn eller "
    "användarnamn, och inte ett vanligt ord, en årstid eller en månad med siffror runt. Flera "
    "ord i följd är lätta att minnas och svåra att gissa."
)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The page a sign-in refused by the lockout gets, on the site and in the admin alike: 429,
    in Swedish, without saying whether the password was right."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Django's help text is an HTML list of every validator's text; one sentence instead.
        self.fields["new_password1"].help_text = HOW_TO_CHOOSE


class PasswordChangeView(auth_views.PasswordChangeView):
    """Any signed-in user changes her own password. Django then keeps this session signed in
    (update_session_auth_hash) and ends every other one: they carry a hash of the old password."""

    form_class = PasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("start")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            "Ditt lösenord är bytt. Du har loggats ut på alla andra ställen där du var inloggad.",
        )
        return response
