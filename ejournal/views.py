"""The role home pages: each role lands on a page made for it, gathered from every app."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import is_school_management
from accounts.choices import Role
from diary.selectors.home import family_home
from diary.selectors.pupils import family_children
from journal import selectors as journal_selectors
from journal.selectors import teacher_day
from journal.selectors.substitution import teacher_substitutions
from reports.selectors.dashboard import last_audit
from reports.selectors.remarks import open_remarks
from reports.selectors.statements import statements_awaiting, unacknowledged_statements


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on a page made for it."""
    user = request.user
    today = timezone.localdate()
    year = journal_selectors.current_year(user.school, today)
    context = {"year": year, "today": today}
    if is_school_management(user):
        context["summary"] = journal_selectors.school_summary(user.school, year, today) if year else None
        # The dashboard: today's lessons still without a topic once their bell has rung, the open correction windows,
        # and the lessons the deputy (or the director) gives today themself.
        context["unrecorded_today"] = teacher_day.todays_unrecorded_lessons(
            user.school, today, timezone.localtime().time()
        )
        context["unrecorded_today_count"] = sum(len(row.lessons) for row in context["unrecorded_today"])
        context["edit_windows"] = teacher_day.open_edit_windows(user.school)
        context["todays_lessons"] = teacher_day.todays_lessons(user, today)
        if user.school_id is not None:  # the deputy's control of the journal: the last audit, the справки not yet read
            context["last_audit"] = last_audit(user.school, today)
            context["awaiting_statements"] = list(statements_awaiting(user.school))
        return render(request, "ejournal/home_management.html", context)
    if user.role == Role.TEACHER:
        context["assignments"] = list(journal_selectors.teacher_assignments(user, year)) if year else []
        context["led_class"] = led_class = journal_selectors.led_class(user, year)
        context["substitutions"] = list(teacher_substitutions(user, today, today + dt.timedelta(days=14)))
        context["todays_lessons"] = teacher_day.todays_lessons(user, today)
        context["unrecorded"] = teacher_day.unrecorded_lessons(user, today)
        context["locking_soon"] = teacher_day.locking_soon(user, today)
        context["class_marks"] = teacher_day.class_missing_marks(led_class, today) if led_class else None
        # The deputy's control reaching the teacher: open weekly remarks, справки to acknowledge.
        context["open_remarks"] = open_remarks(user)
        context["pending_statements"] = list(unacknowledged_statements(user))
        return render(request, "ejournal/home_teacher.html", context)
    if user.role in (Role.PUPIL, Role.PARENT):
        # The same children as the diary's switcher: exactly those whose diary opens (diary.access.family_pupils).
        context["homes"] = family_home(list(family_children(user)), today)
        return render(request, "ejournal/home_family.html", context)
    return render(request, "ejournal/home_management.html", context)
