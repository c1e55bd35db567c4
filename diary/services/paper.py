"""Paper diaries: the class teacher prints, in one batch, the diary pages of the pupils whose parents chose paper.

Parents who decline electronic access get a printout of the diary at least twice a month [001 §3.3.5, 003 §2.12].
The class teacher prints for their class; the deputy, the director and the admin for any class of their school.
Each batch is one PDF (WeasyPrint) and one row of the print log (PaperDiaryPrint).
"""

import datetime as dt
from functools import cache

from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from journal.access import is_school_management, object_perms, same_school
from journal.lock import school_today
from journal.models import SchoolClass

from ..models import PaperDiaryPrint
from ..selectors.paper import paper_diary_pages, paper_pupils

MAX_DAYS = 31  # «at least twice a month»: an interval longer than a month is not a diary printout any more
STYLESHEET = "css/paper-diary.css"


class PaperLayout(models.TextChoices):
    ONE = "one", gettext_lazy("один учащийся на странице")
    TWO = "two", gettext_lazy("два учащихся на странице (экономия бумаги)")


def may_print_paper(user: User, school_class: SchoolClass) -> bool:
    """The class teacher of the class; the deputy, the director and the admin for any class of their school."""
    if not user.is_authenticated or not same_school(user, school_class.year.school_id):
        return False
    return is_school_management(user) or "manage_class" in object_perms(user, school_class)


def check_interval(school_class: SchoolClass, date_from: dt.date, date_to: dt.date, today: dt.date) -> None:
    """Russian messages for a reversed, too long, future or out-of-year interval."""
    if date_from > date_to:
        raise ValidationError(_("Дата начала позже даты окончания: укажите период по порядку."))
    days = (date_to - date_from).days + 1
    if days > MAX_DAYS:
        raise ValidationError(
            _(
                "Период слишком длинный: %(days)s дн. Распечатка делается не реже двух раз в месяц — не больше %(max)s дн."
            )
            % {"days": days, "max": MAX_DAYS}
        )
    year = school_class.year
    if date_from < year.start_date or date_to > year.end_date:
        raise ValidationError(
            _("Период должен лежать внутри учебного года %(year)s (%(start)s–%(end)s).")
            % {"year": year.name, "start": f"{year.start_date:%d.%m.%Y}", "end": f"{year.end_date:%d.%m.%Y}"}
        )
    if date_from > today:
        raise ValidationError(_("Период начинается в будущем: распечатывать пока нечего."))


@cache
def _stylesheet():
    """The PDF stylesheet, parsed once per process (WeasyPrint's CSS parsing is not free)."""
    from weasyprint import CSS

    return CSS(filename=finders.find(STYLESHEET))


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf(stylesheets=[_stylesheet()])


def paper_diaries_print(
    *, actor: User, school_class: SchoolClass, date_from: dt.date, date_to: dt.date, layout: str
) -> tuple[bytes, PaperDiaryPrint]:
    """One PDF with the diary pages of every pupil of the class whose parent chose paper, and its log row.

    Nothing is printed or logged when the interval is wrong or no parent of the class chose paper. The PDF takes
    seconds for a big batch: it is made before the transaction, which holds only the log row (no long transaction
    on PostgreSQL); a failure while making it writes nothing.
    """
    if not may_print_paper(actor, school_class):
        raise PermissionDenied(
            _("Бумажные дневники печатает классный руководитель класса или администрация его школы.")
        )
    if layout not in PaperLayout.values:
        raise ValidationError(_("Неизвестный вид распечатки."))
    school = school_class.year.school
    today = school_today(school)
    check_interval(school_class, date_from, date_to, today)
    pupils = paper_pupils(school_class, date_from, date_to)
    if not pupils:
        raise ValidationError(
            _("В классе %(cls)s нет родителей, выбравших бумажную форму информирования: распечатывать нечего.")
            % {"cls": school_class}
        )
    pages, period = paper_diary_pages(school_class, pupils, date_from, date_to, today=today)
    per_sheet = 2 if layout == PaperLayout.TWO else 1
    context = {
        "school": school,
        "school_class": school_class,
        "date_from": date_from,
        "date_to": date_to,
        "period": period,
        "printed_on": today,
        "layout": layout,
        "sheets": [pages[start : start + per_sheet] for start in range(0, len(pages), per_sheet)],
    }
    pdf = render_pdf(render_to_string("diary/paper/pdf.html", context))
    record = PaperDiaryPrint(
        school_class=school_class, date_from=date_from, date_to=date_to, pupils=len(pupils), printed_by=actor
    )
    record.full_clean(exclude=["school_class", "printed_by"])  # both checked above; no existence queries
    with transaction.atomic():
        record.save()
    return pdf, record
