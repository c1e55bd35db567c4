"""First login: the login and the one-time code from the slip, then a password of one's own."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import login, user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..forms import ActivationForm
from ..services.activation import code_activate


def activate(request: HttpRequest) -> HttpResponse:
    """First login: the login and the one-time code from the slip, then a password of one's own."""
    if request.user.is_authenticated:
        return redirect("home")
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": form.cleaned_data["username"]}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return get_lockout_response(request, None, credentials)
        try:
            user = code_activate(
                username=form.cleaned_data["username"],
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "invalid_code":
                # Counted with failed logins: django-axes locks the (login, address) pair after a few tries.
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
                form.add_error("code", error)
            else:
                form.add_error("new_password1", error)
        else:
            login(request, user, backend="accounts.backends.UserBackend")
            messages.success(request, _("Пароль сохранён. Теперь входите со своим логином и этим паролем."))
            return redirect("home")
    return render(request, "accounts/activate.html", {"form": form})
