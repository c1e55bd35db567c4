import datetime as dt

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone

from diary.selectors.home import family_home
from journal import selectors as journal_selectors
from journal.access import is_school_management
from journal.selectors.substitution import teacher_substitutions

from .choices import Role
from .forms import LoginForm, PasswordChangeCrispyForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeCrispyForm
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


logout_view = auth_views.LogoutView.as_view()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on a page made for it."""
    user = request.user
    today = timezone.localdate()
    year = journal_selectors.current_year(user.school, today)
    context = {"year": year, "today": today}
    if is_school_management(user):
        context["summary"] = journal_selectors.school_summary(user.school, year, today) if year else None
        return render(request, "accounts/home_management.html", context)
    if user.role == Role.TEACHER:
        context["assignments"] = list(journal_selectors.teacher_assignments(user, year)) if year else []
        context["led_class"] = journal_selectors.led_class(user, year)
        context["substitutions"] = list(teacher_substitutions(user, today, today + dt.timedelta(days=14)))
        return render(request, "accounts/home_teacher.html", context)
    if user.role == Role.PUPIL:
        context["homes"] = family_home([user.pupil], today) if hasattr(user, "pupil") else []
        return render(request, "accounts/home_family.html", context)
    if user.role == Role.PARENT:
        context["homes"] = family_home(journal_selectors.children_of(user), today)
        return render(request, "accounts/home_family.html", context)
    return render(request, "accounts/home_management.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", {"profile_user": request.user})
