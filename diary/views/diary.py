"""The diary pages of a pupil: the week, marks by subject, a subject, a past year, what's new, the timetable, the
profile.

Every page takes the pupil from the URL through diary.access.diary_pupil_for_user (journal.access.pupil_for_user
in one plain query: 404 for anyone else) and reads
through diary.selectors; the child switcher and the diary's home list the family's children from the same visible
pupils (diary.access.family_pupils). The school's "today" is journal.lock.school_today.
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from journal.dates import safe_date
from journal.lock import school_today
from journal.selectors.people import pupil_card

from ..access import diary_pupil_for_user
from ..render.chart import chart_svg
from ..render.marks import mark_chips, marks_table_rows
from ..render.news import absence_items, homework_items, mark_items
from ..render.week import lesson_rows
from ..selectors.days import pupil_days
from ..selectors.events import pupil_events
from ..selectors.marks import average_chart, formula, grade_periods, pick_period, subject_summaries
from ..selectors.news import pupil_news
from ..selectors.pupils import DiaryHeader, diary_header, family_children
from ..selectors.timetable import pupil_timetable
from ..selectors.years import year_record
from ..services.visits import diary_visit_record, news_since

WHOLE_YEAR = "year"
EARLIEST, LATEST = dt.date(1900, 1, 8), dt.date(9000, 1, 1)  # beyond these a week cannot be shown


def _page(
    request: HttpRequest, header: DiaryHeader, page: str, *, tab: str = "", switch_query: str = "", **context
) -> HttpResponse:
    """Render ``diary/<page>.html`` with the diary's head: the child switcher keeps the page kind (``tab``, the
    page itself unless it belongs to another child only) and its query (the week, the period)."""
    tab = tab or page
    context.update(header=header, pupil=header.pupil, tab=tab, switch_name=f"diary:{tab}", switch_query=switch_query)
    # The year switcher (the marks pages): the diary's current year is the marks page, the others their year page.
    current_year_id = header.school_class.year.pk if header.school_class else None
    context.setdefault("shown_year_id", current_year_id)
    context["current_year_id"] = current_year_id
    # A subject's page is marks_url + assignment id + "/": one reverse() for the page, not one per lesson.
    context["marks_url"] = reverse("diary:marks", args=[header.pupil.pk])
    return render(request, f"diary/{page}.html", context)


@login_required
@require_GET
def diary_home(request: HttpRequest) -> HttpResponse:
    """A pupil goes to their own week, a parent to their first child's (the first of the child switcher)."""
    first = family_children(request.user).values_list("pk", flat=True).first()
    if first is None:
        raise Http404
    return redirect("diary:week", pk=first)


@login_required
@require_GET
def pupil_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """«Профиль»: the pupil's class, class teacher, subjects with teachers, and parents."""
    pupil = diary_pupil_for_user(request.user, pk)
    today = school_today(pupil.user.school)
    header = diary_header(request.user, pupil, today)
    return _page(request, header, "pupil_detail", tab="pupil", card=pupil_card(pupil, today))


@login_required
@require_GET
def week(request: HttpRequest, pk: int) -> HttpResponse:
    """The week (Monday to Saturday) of the date asked for, today's by default."""
    pupil = diary_pupil_for_user(request.user, pk)
    today = school_today(pupil.user.school)
    day = safe_date(request.GET.get("date")) or today
    if not EARLIEST <= day <= LATEST:
        day = today
    monday = day - dt.timedelta(days=day.weekday())
    sunday = monday + dt.timedelta(days=6)
    header = diary_header(request.user, pupil, today)
    days = pupil_days([pupil], monday, sunday, today=today)[pupil.pk]
    events = pupil_events(pupil, monday, sunday)
    this_monday = today - dt.timedelta(days=today.weekday())
    marks_url = reverse("diary:marks", args=[pupil.pk])
    return _page(
        request,
        header,
        "week",
        switch_query=f"date={monday:%Y-%m-%d}" if monday != this_monday else "",
        days=[
            (
                day,
                lesson_rows(day.lessons, marks_url, day.homework),
                [event for event in events if event.starts_on <= day.date <= event.last_day],
            )
            for day in days
        ],
        monday=monday,
        sunday=sunday,
        previous=monday - dt.timedelta(days=7),
        following=monday + dt.timedelta(days=7),
        is_current=monday == this_monday,
    )


def _period_choice(request: HttpRequest, header: DiaryHeader, today: dt.date):
    """(periods, chosen period or None for the whole year, start, end, the query to keep) for the marks pages."""
    school_class = header.school_class
    if school_class is None:
        return [], None, None, None, ""
    year = school_class.year
    periods = grade_periods(year.pk, school_class.grade)
    requested = request.GET.get("period")
    if requested == WHOLE_YEAR or not periods:
        return periods, None, year.start_date, year.end_date, f"period={WHOLE_YEAR}"
    period = pick_period(periods, requested, today)
    query = f"period={period.pk}" if requested and str(period.pk) == requested else ""
    return periods, period, period.start_date, period.end_date, query


@login_required
@require_GET
def marks(request: HttpRequest, pk: int) -> HttpResponse:
    """Marks by subject for a study period (the current one by default) or the whole year."""
    pupil = diary_pupil_for_user(request.user, pk)
    today = school_today(pupil.user.school)
    header = diary_header(request.user, pupil, today)
    periods, period, start, end, query = _period_choice(request, header, today)
    summaries = subject_summaries([pupil], start, end)[pupil.pk] if start else []
    return _page(
        request,
        header,
        "marks",
        switch_query=query,
        periods=periods,
        period=period,
        whole_year=header.school_class is not None and period is None,
        start=start,
        end=end,
        summaries=[(summary, mark_chips(summary.marks)) for summary in summaries],
        query=query,
    )


@login_required
@require_GET
def subject(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    """One subject: every mark, the weighted average with its formula, the forecast, and a chart of the average."""
    pupil = diary_pupil_for_user(request.user, pk)
    today = school_today(pupil.user.school)
    header = diary_header(request.user, pupil, today)
    periods, period, start, end, query = _period_choice(request, header, today)
    summaries = subject_summaries([pupil], start, end, assignment_id=assignment_pk)[pupil.pk] if start else []
    summary = summaries[0] if summaries else None
    if summary is None:
        raise Http404
    chart = average_chart(summary.marks, start, min(end, max(today, start)))
    return _page(
        request,
        header,
        "subject",
        tab="marks",
        switch_query=query,
        periods=periods,
        period=period,
        whole_year=period is None,
        start=start,
        end=end,
        summary=summary,
        formula=formula(summary.marks),
        chart=chart,
        chart_svg=chart_svg(chart) if chart else "",
        rows=marks_table_rows(summary.marks),
        query=query,
    )


@login_required
@require_GET
def year(request: HttpRequest, pk: int, year_pk: int) -> HttpResponse:
    """A year the pupil studied at the school, read-only: their class, each subject's marks by study period with the
    averages, the period, year, exam and final marks, and the promotion decision. 404 for a year they did not study
    at the school."""
    pupil = diary_pupil_for_user(request.user, pk)
    today = school_today(pupil.user.school)
    header = diary_header(request.user, pupil, today)
    pupil_year = header.pupil_year(year_pk)
    if pupil_year is None:
        raise Http404
    record = year_record(pupil, pupil_year)
    return _page(
        request,
        header,
        "year",
        tab="marks",
        shown_year_id=pupil_year.year.pk,
        record=record,
        subjects=[(subject, [(row, mark_chips(row.marks)) for row in subject.periods]) for subject in record.subjects],
    )


@login_required
@require_GET
def news(request: HttpRequest, pk: int) -> HttpResponse:
    """«Что нового» since the user last looked, and the homework for the next school day."""
    pupil = diary_pupil_for_user(request.user, pk)  # the visit service's re-check reads the answer kept on it
    today = school_today(pupil.user.school)
    header = diary_header(request.user, pupil, today)
    visit = diary_visit_record(user=request.user, pupil=pupil, now=timezone.now())
    items = pupil_news(pupil, news_since(visit), first_visit=visit.shown_since is None, today=today)
    return _page(
        request,
        header,
        "news",
        news=items,
        mark_items=mark_items(items.marks, reverse("diary:marks", args=[pupil.pk])),
        absence_items=absence_items(items.absences),
        homework_items=homework_items(items.homework),
    )


@login_required
@require_GET
def timetable(request: HttpRequest, pk: int) -> HttpResponse:
    """The pupil's weekly timetable with bells and rooms."""
    pupil = diary_pupil_for_user(request.user, pk)
    today = school_today(pupil.user.school)
    header = diary_header(request.user, pupil, today)
    school_class = header.school_class
    days = pupil_timetable(pupil, school_class, today, today) if school_class else []
    return _page(request, header, "timetable", days=days)
