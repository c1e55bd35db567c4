"""The lists of «Что нового» (marks, absences, new homework), joined here rather than in template loops.

Up to 40 items a list, each with date filters, a blocktranslate and branches: the template loops were about half of
the page's CPU (bench/diary.py). The markup is the one the template wrote, item for item.
"""

import datetime as dt

from django.utils import dateformat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..selectors.news import NewsAbsence, NewsHomework, NewsMark


def _day(value: dt.date) -> str:
    """«20.05», as the template's ``date:"d.m"``."""
    return f"{value.day:02d}.{value.month:02d}"


def mark_items(marks: list[NewsMark], marks_url: str) -> SafeString:
    """Each new, changed or taken-back mark: its value, the subject's page, the day, the kind of work, the state."""
    changed = f' <span class="badge text-bg-warning">{escape(_("исправлена"))}</span>'
    cleared = f' <span class="badge text-bg-secondary">{escape(_("отметка снята"))}</span>'
    items = []
    for mark in marks:
        value = escape(mark.value)
        chip = f'<span class="mk m{value}">{value}</span>' if mark.value else '<span class="mk">—</span>'
        kind = f" · {escape(mark.work_type)}" if mark.work_type else ""
        state = changed if mark.state == "changed" else cleared if mark.state == "cleared" else ""
        items.append(
            f'<li>{chip} <a href="{marks_url}{mark.assignment_id}/">{escape(mark.subject)}</a>, {_day(mark.date)}'
            f"{kind}{state}</li>"
        )
    return mark_safe("".join(items))


def absence_items(absences: list[NewsAbsence]) -> SafeString:
    """Each absence or lateness: its code, the day, the lesson's number and subject, what the code means."""
    lesson = escape(_("урок"))
    return mark_safe(
        "".join(
            f'<li><span class="ab">{escape(a.code)}</span> {_day(a.date)}, {a.number} {lesson}: {escape(a.subject)}'
            f" — {escape(a.label)}</li>"
            for a in absences
        )
    )


def homework_items(homework: list[NewsHomework]) -> SafeString:
    """Each new homework: the subject, the day it is due («к 21 мая (пт)»), the day given, for the pupil alone."""
    given, next_lesson = escape(_("задано")), escape(_("к следующему уроку"))
    individual = f' <span class="badge text-bg-info">{escape(_("индивидуально"))}</span>'
    due_texts: dict[dt.date, str] = {}
    items = []
    for item in homework:
        if item.due_on is None:
            due = next_lesson
        else:
            due = due_texts.get(item.due_on)
            if due is None:
                due = due_texts[item.due_on] = escape(
                    _("к %(d)s (%(w)s)")
                    % {"d": dateformat.format(item.due_on, "j E"), "w": dateformat.format(item.due_on, "D").lower()}
                )
        items.append(
            f'<li><b>{escape(item.subject)}</b>, {due} <small class="text-secondary">({given} {_day(item.date)})</small>'
            f"{individual if item.individual else ''}<div>{escape(item.text)}</div></li>"
        )
    return mark_safe("".join(items))
