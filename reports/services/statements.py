"""Справки по итогам проверки: a draft made from an audit run (its figures frozen as they were that day), edited by
its author while unsent, sent to the teachers and class teachers it concerns (a message to each), acknowledged by
each of them with one click, and corrected only by a new справка that refers to the old one.

Who writes them: the administration of the school (deputy, director, admin). A sent справка is never edited, and
nothing here deletes a справка; the recipients of a draft may change until it is sent (with history).
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import MANAGEMENT_ROLES
from accounts.models import School, User
from diary.services.messages import thread_start
from journal.lock import school_today
from journal.models import SchoolClass, SchoolYear

from ..forms.audit import MONTHS
from ..models import AuditStatement, AuditStatementRecipient
from ..selectors.statements import (
    audit_figures,
    candidate_class_teachers,
    candidate_teachers,
    default_recipients,
    plural,
)

TEXT_MAX_LENGTH = 20_000
MAX_DAYS = 400  # a справка covers at most a school year, as the reports do
TOP_CHECKS = 5  # the conclusions name the checks with the most lapses…
TOP_TEACHERS = 3  # …and the teachers with the most lapses of each
FIX_WITHIN_DAYS = 7  # the recommendations' deadline: a week from the date of the справка

# What the recommendations ask of a teacher, per check with lapses (a check not listed: «устранить нарушения: …»).
RECOMMENDATIONS = {
    "no_topic": "заполнить темы проведённых уроков",
    "no_homework": "внести домашние задания к проведённым урокам",
    "no_attendance": "отмечать посещаемость на каждом уроке",
    "late_record": "вносить запись об уроке до 24:00 дня урока",
    "late_homework": "вносить домашнее задание во время урока или в установленный срок после уроков класса",
    "late_marks": "выставлять отметки к следующему уроку предмета, за сочинения, изложения и диктанты — в течение недели",
    "few_marks": "обеспечить накопляемость отметок: у учащихся нет отметок или одна отметка",
    "below_minimum": "обеспечить минимальное число отметок для аттестации за период",
    "mark_gap": "не допускать длительных перерывов между отметками учащихся",
    "control_unmarked": "выставить отметки за контрольные работы всем присутствовавшим учащимся",
    "plan_missing": "представить календарно-тематическое планирование (КТП)",
    "plan_behind": "скорректировать КТП и ликвидировать отставание от программы",
    "lesson_not_held": "восполнить непроведённые уроки и отразить это в КТП",
    "period_mark_late": "выставлять отметки за период не позднее чем за 2 дня до его окончания",
    "period_mark_divergent": "обосновать отметки за период, далёкие от средневзвешенного балла",
}


# -- who ----------------------------------------------------------------------------------------------------------


def may_compose(user: User, school: School | None) -> bool:
    """The administration of the school (deputy, director, admin) writes and corrects its справки."""
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and school is not None
        and user.school_id == school.pk
        and user.role in MANAGEMENT_ROLES
    )


def _ensure_may_compose(actor: User, school: School | None) -> None:
    if not may_compose(actor, school):
        raise PermissionDenied(
            _(
                "Справки по итогам проверки составляет администрация школы: директор, заместитель директора, администратор."
            )
        )


def _ensure_author(actor: User, statement: AuditStatement) -> None:
    _ensure_may_compose(actor, statement.school)
    if statement.author_id != actor.pk:
        raise PermissionDenied(_("Черновик справки изменяет и отправляет только тот, кто его составил."))


def _ensure_draft(statement: AuditStatement) -> None:
    if statement.sent_at is not None:
        raise ValidationError(
            _("Справка № %(n)s уже отправлена и не изменяется. Чтобы исправить её, составьте исправление.")
            % {"n": statement.number}
        )


def _locked(statement: AuditStatement) -> AuditStatement:
    """The справка's row, locked for the rest of the transaction (a second click waits, then sees the first)."""
    return AuditStatement.objects.select_for_update(of=("self",)).select_related("school").get(pk=statement.pk)


def _next_number(school: School) -> int:
    """The next number of the school's справки (all years): the school's row is locked until the commit, so two
    deputies creating at once get consecutive numbers."""
    School.objects.select_for_update().filter(pk=school.pk).values_list("pk", flat=True).first()
    last = AuditStatement.objects.filter(school=school).aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


# -- the figures ---------------------------------------------------------------------------------------------------


def dates_label(start: dt.date, end: dt.date) -> str:
    """«ноябрь 2026» for a whole month, else «с 01.11.2026 по 15.11.2026»."""
    month_end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    if start.day == 1 and end == month_end:
        return f"{MONTHS[start.month - 1]} {start.year}"
    return _("с %(start)s по %(end)s") % {"start": f"{start:%d.%m.%Y}", "end": f"{end:%d.%m.%Y}"}


def default_title(start: dt.date, end: dt.date, school_class: SchoolClass | None = None) -> str:
    where = _(", %(c)s класс") % {"c": school_class} if school_class is not None else ""
    return _("Ведение электронного журнала (%(dates)s)%(where)s") % {"dates": dates_label(start, end), "where": where}


def default_aim() -> str:
    return _(
        "Проверить соблюдение единых требований к ведению электронного журнала: своевременность и полноту записей "
        "об уроках и домашних заданий, накопляемость и своевременность выставления отметок, выставление отметок за "
        "контрольные работы, выполнение программы по календарно-тематическому планированию, выставление отметок "
        "за период."
    )


def default_basis(school: School, start: dt.date) -> str:
    year = SchoolYear.objects.filter(school=school, start_date__lte=start, end_date__gte=start).first()
    plan = (
        _("План внутришкольного контроля на %(year)s учебный год") % {"year": year.name}
        if year is not None
        else _("План внутришкольного контроля")
    )
    return _("%(plan)s; Положение о ведении электронного журнала.") % {"plan": plan}


# -- the texts ------------------------------------------------------------------------------------------------------


def conclusions_template(figures: dict) -> str:
    """The conclusions, written from the figures for the deputy to edit: how much was checked, the lapses in all,
    the checks with the most lapses and whose they are, and who keeps the journal without lapses."""
    totals = figures.get("totals", {})
    teachers_n, lessons_n, lapses_n = totals.get("teachers", 0), totals.get("lessons", 0), totals.get("lapses", 0)
    start, end = dt.date.fromisoformat(figures["start"]), dt.date.fromisoformat(figures["end"])
    where = _("%(c)s класс") % {"c": figures["school_class"]["name"]} if figures.get("school_class") else _("вся школа")
    lines = [
        _("Проверено %(t)s %(tw)s, %(l)s %(lw)s (%(dates)s; %(where)s).")
        % {
            "t": teachers_n,
            "tw": plural(teachers_n, "учитель", "учителя", "учителей"),
            "l": lessons_n,
            "lw": plural(lessons_n, "урок", "урока", "уроков"),
            "dates": dates_label(start, end),
            "where": where,
        }
    ]
    if not lapses_n:
        lines.append(_("Нарушений в ведении электронного журнала не выявлено."))
        return "\n".join(lines)
    score = totals.get("score")
    lines.append(
        _("Выявлено %(n)s %(w)s%(score)s.")
        % {
            "n": lapses_n,
            "w": plural(lapses_n, "нарушение", "нарушения", "нарушений"),
            "score": _("; оценка состояния журнала — %(s)s из 100") % {"s": score} if score is not None else "",
        }
    )
    checks = [check for check in figures.get("checks", []) if check.get("weight", 1) > 0]
    counts = totals.get("counts", {})
    ranked = sorted((check for check in checks if counts.get(check["slug"])), key=lambda c: -counts[c["slug"]])
    if ranked:
        lines.append(_("Наибольшее число нарушений:"))
        teachers = list(figures.get("teachers", []))
        for check in ranked[:TOP_CHECKS]:
            slug = check["slug"]
            whose = sorted(
                (row for row in teachers if row["counts"].get(slug)), key=lambda r: (-r["counts"][slug], r["name"])
            )
            named = ", ".join(f"{row['name']} — {row['counts'][slug]}" for row in whose[:TOP_TEACHERS])
            if len(whose) > TOP_TEACHERS:
                named += _(" и др.")
            lines.append(f"— «{check['title']}» — {counts[slug]} ({named});")
        lines[-1] = lines[-1].rstrip(";") + "."
    clean = [
        row["name"] for row in figures.get("teachers", []) if row.get("id") and row["lessons"] and not row["lapses"]
    ]
    if clean:
        names = ", ".join(clean)
        lines.append(
            _("Без нарушений ведут журнал: %(names)s") % {"names": names} + ("" if names.endswith(".") else ".")
        )
    return "\n".join(lines)


def recommendations_template(figures: dict, *, checked_on: dt.date, class_teacher_ids: Iterable[int] = ()) -> str:
    """A line per teacher with lapses: what to do, per check, with the count; then the class teachers; then the
    deadline."""
    checks = [check for check in figures.get("checks", []) if check.get("weight", 1) > 0]
    lines = []
    for row in figures.get("teachers", []):
        if not row.get("id") or not row.get("lapses"):
            continue
        tasks = [
            f"{RECOMMENDATIONS.get(check['slug'], _('устранить нарушения: «%(t)s»') % {'t': check['title']})}"
            f" ({row['counts'][check['slug']]})"
            for check in checks
            if row["counts"].get(check["slug"])
        ]
        if tasks:
            lines.append(f"{len(lines) + 1}. {row['name']}: {'; '.join(tasks)}.")
    class_teacher_ids = set(class_teacher_ids)
    classes = [
        row["name"]
        for row in figures.get("classes", [])
        if row.get("class_teacher_id") in class_teacher_ids and row.get("lapses")
    ]
    if classes:
        text = _(
            "%(n)s. Классным руководителям (%(classes)s): довести итоги проверки до учителей, работающих в классе, "
            "и проконтролировать устранение замечаний."
        )
        lines.append(text % {"n": len(lines) + 1, "classes": ", ".join(classes)})
    if lines:
        deadline = checked_on + dt.timedelta(days=FIX_WITHIN_DAYS)
        lines.append(_("Срок устранения замечаний — до %(d)s.") % {"d": f"{deadline:%d.%m.%Y}"})
    return "\n".join(lines)


# -- recipients -----------------------------------------------------------------------------------------------------


def _clean_recipients(
    school: School, figures: dict, teacher_ids: Iterable[int] | None, class_teacher_ids: Iterable[int] | None
) -> dict[int, bool]:
    """user id → as class teacher, from the ticked teachers and class teachers (None: the defaults). Refuses
    anyone who is not among the audit's teachers or the audited classes' class teachers, or who no longer works in
    the school."""
    defaults = default_recipients(figures)
    teachers = set(defaults[0] if teacher_ids is None else teacher_ids)
    class_teachers = set(defaults[1] if class_teacher_ids is None else class_teacher_ids)
    if teachers - set(candidate_teachers(figures)):
        raise ValidationError(_("Справку можно направить только учителям, чьи журналы проверены."))
    if class_teachers - set(candidate_class_teachers(figures)):
        raise ValidationError(_("Справку можно направить только классным руководителям проверенных классов."))
    wanted = teachers | class_teachers
    active = set(User.objects.filter(pk__in=wanted, school_id=school.pk, is_active=True).values_list("pk", flat=True))
    gone = wanted - active
    if gone and (teacher_ids is not None or class_teacher_ids is not None):
        names = ", ".join(sorted(user.short_name for user in User.objects.filter(pk__in=gone)))
        raise ValidationError(
            _("Эти сотрудники больше не работают в школе, уберите их из получателей: %(names)s.") % {"names": names}
        )
    wanted = active  # the defaults leave out whoever has left the school
    return {pk: pk in class_teachers for pk in wanted}


def _set_recipients(statement: AuditStatement, wanted: dict[int, bool]) -> None:
    current = {row.user_id: row for row in statement.recipients.all()}
    for user_id, row in current.items():
        if user_id not in wanted:
            row.delete()  # a draft's recipient taken off (with history); a sent справка's never are
        elif row.as_class_teacher != wanted[user_id]:
            row.as_class_teacher = wanted[user_id]
            row.save(update_fields=["as_class_teacher"])
    for user_id, as_class_teacher in wanted.items():
        if user_id not in current:
            AuditStatementRecipient.objects.create(
                statement=statement, user_id=user_id, as_class_teacher=as_class_teacher
            )


def _clean_text(value: str, label: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_MAX_LENGTH:
        raise ValidationError(_("%(label)s: не длиннее %(n)s знаков.") % {"label": label, "n": TEXT_MAX_LENGTH})
    return value


# -- the services ---------------------------------------------------------------------------------------------------


@transaction.atomic
def statement_create(
    *,
    actor: User,
    start: dt.date,
    end: dt.date,
    school_class: SchoolClass | None = None,
    title: str = "",
    aim: str = "",
    basis: str | None = None,
    teacher_ids: Iterable[int] | None = None,
    class_teacher_ids: Iterable[int] | None = None,
) -> AuditStatement:
    """A draft справка from an audit of the actor's school (or one class) over the dates: the figures frozen now,
    the conclusions and recommendations written from them, the recipients the ticked ones (None: the teachers with
    lapses and the class teachers of the classes with lapses)."""
    school = actor.school if actor.school_id else None
    _ensure_may_compose(actor, school)
    if start > end:
        raise ValidationError(_("Дата окончания проверки раньше даты начала."))
    if (end - start).days > MAX_DAYS:
        raise ValidationError(_("Проверенный период — не больше учебного года."))
    if school_class is not None and school_class.year.school_id != school.pk:
        raise ValidationError(_("Выберите класс своей школы."))
    figures = audit_figures(actor, start, end, school_class)
    recipients = _clean_recipients(school, figures, teacher_ids, class_teacher_ids)
    today = school_today(school)
    class_teachers = {pk for pk, as_class_teacher in recipients.items() if as_class_teacher}
    statement = AuditStatement(
        school=school,
        number=_next_number(school),
        title=_clean_text(title, _("Тема проверки")) or default_title(start, end, school_class),
        aim=_clean_text(aim, _("Цель проверки")) or default_aim(),
        basis=_clean_text(basis, _("Основание")) if basis is not None else default_basis(school, start),
        start=start,
        end=end,
        checked_on=today,
        school_class=school_class,
        figures=figures,
        conclusions=conclusions_template(figures),
        recommendations=recommendations_template(figures, checked_on=today, class_teacher_ids=class_teachers),
        author=actor,
    )
    statement.full_clean()
    statement.save()
    _set_recipients(statement, recipients)
    return statement


@transaction.atomic
def statement_update(
    *,
    actor: User,
    statement: AuditStatement,
    title: str,
    aim: str,
    basis: str,
    checked_on: dt.date,
    conclusions: str,
    recommendations: str,
    teacher_ids: Iterable[int],
    class_teacher_ids: Iterable[int],
) -> AuditStatement:
    """The author changes their draft: the texts, the date of the справка and the recipients (among the audit's
    teachers and class teachers). The figures stay as they were frozen; a sent справка is refused."""
    statement = _locked(statement)
    _ensure_author(actor, statement)
    _ensure_draft(statement)
    if checked_on < statement.start:
        raise ValidationError(_("Дата справки не может быть раньше начала проверенного периода."))
    if checked_on > school_today(statement.school):
        raise ValidationError(_("Дата справки не может быть в будущем."))
    statement.title = _clean_text(title, _("Тема проверки"))
    statement.aim = _clean_text(aim, _("Цель проверки"))
    statement.basis = _clean_text(basis, _("Основание"))
    statement.checked_on = checked_on
    statement.conclusions = _clean_text(conclusions, _("Выводы"))
    statement.recommendations = _clean_text(recommendations, _("Рекомендации"))
    statement.full_clean()
    statement.save()
    _set_recipients(statement, _clean_recipients(statement.school, statement.figures, teacher_ids, class_teacher_ids))
    return statement


def statement_path(statement: AuditStatement) -> str:
    return reverse("reports:audit-statement", args=[statement.pk])


def _message_text(statement: AuditStatement, recipient: AuditStatementRecipient, classes: list[str]) -> str:
    author = statement.author
    lines = [
        _("%(role)s %(name)s направил(а) вам справку по итогам проверки № %(n)s от %(date)s: «%(title)s».")
        % {
            "role": author.get_role_display(),
            "name": author.short_name,
            "n": statement.number,
            "date": f"{statement.checked_on:%d.%m.%Y}",
            "title": statement.title,
        }
    ]
    if recipient.as_class_teacher and classes:
        lines.append(_("Вы получаете её как классный руководитель (%(c)s).") % {"c": ", ".join(classes)})
    if statement.replaces_id:
        lines.append(
            _("Она исправляет справку № %(n)s от %(date)s.")
            % {"n": statement.replaces.number, "date": f"{statement.replaces.checked_on:%d.%m.%Y}"}
        )
    lines.append(_("Прочитайте справку и нажмите «Ознакомлен(а)»:"))
    lines.append(f"{settings.SITE_URL}{statement_path(statement)}")
    return "\n".join(lines)


@transaction.atomic
def statement_send(*, actor: User, statement: AuditStatement) -> AuditStatement:
    """The author sends their draft: it is fixed from now on (``sent_at``), and each recipient gets a message
    linking to it (the author, if among the recipients, gets none)."""
    statement = _locked(statement)
    _ensure_author(actor, statement)
    _ensure_draft(statement)
    recipients = list(statement.recipients.select_related("user"))
    if not recipients:
        raise ValidationError(_("Выберите хотя бы одного сотрудника, которому направляется справка."))
    gone = [
        row.user.short_name for row in recipients if not row.user.is_active or row.user.school_id != actor.school_id
    ]
    if gone:
        raise ValidationError(
            _("Эти сотрудники больше не работают в школе, уберите их из получателей: %(names)s.")
            % {"names": ", ".join(gone)}
        )
    if not statement.conclusions.strip():
        raise ValidationError(_("Напишите выводы по итогам проверки."))
    statement.sent_at = timezone.now()
    statement.full_clean()
    statement.save(update_fields=["sent_at"])
    classes = {pk: [row["name"] for row in rows] for pk, rows in candidate_class_teachers(statement.figures).items()}
    subject = _("Справка по итогам проверки № %(n)s") % {"n": statement.number}
    for recipient in recipients:
        if recipient.user_id == actor.pk:
            continue
        thread_start(
            actor=actor,
            recipients=[recipient.user],
            subject=subject,
            text=_message_text(statement, recipient, classes.get(recipient.user_id, [])),
        )
    return statement


@transaction.atomic
def statement_acknowledge(*, actor: User, statement: AuditStatement) -> AuditStatementRecipient:
    """«Ознакомлен(а)»: the recipient's acknowledgement with its time, once; a second click changes nothing."""
    recipient = (
        AuditStatementRecipient.objects.select_for_update(of=("self",))
        .select_related("statement")
        .filter(statement_id=statement.pk, user_id=actor.pk)
        .first()
    )
    if recipient is None or not actor.is_active or actor.school_id != recipient.statement.school_id:
        raise PermissionDenied(_("Эта справка направлена не вам."))
    if recipient.statement.sent_at is None:
        raise ValidationError(_("Справка ещё не отправлена."))
    if recipient.acknowledged_at is None:
        recipient.acknowledged_at = timezone.now()
        recipient.save(update_fields=["acknowledged_at"])
    return recipient


@transaction.atomic
def statement_correct(*, actor: User, statement: AuditStatement) -> AuditStatement:
    """A correction of a sent справка: a new draft (the next number) copying the old one's texts, figures and
    recipients, with ``replaces`` set; the old one stays as it was sent."""
    statement = _locked(statement)
    _ensure_may_compose(actor, statement.school)
    if statement.sent_at is None:
        raise ValidationError(_("Исправляют отправленную справку; черновик можно просто изменить."))
    corrections = list(statement.corrections.order_by("number"))
    draft = next((row for row in corrections if row.sent_at is None), None)
    if draft is not None:
        raise ValidationError(_("Исправление уже составляется: черновик справки № %(n)s.") % {"n": draft.number})
    sent = next((row for row in reversed(corrections) if row.sent_at is not None), None)
    if sent is not None:
        raise ValidationError(
            _("Справка № %(old)s уже исправлена справкой № %(new)s; исправляйте её.")
            % {"old": statement.number, "new": sent.number}
        )
    correction = AuditStatement(
        school=statement.school,
        number=_next_number(statement.school),
        title=statement.title,
        aim=statement.aim,
        basis=statement.basis,
        start=statement.start,
        end=statement.end,
        checked_on=school_today(statement.school),
        school_class_id=statement.school_class_id,
        figures=statement.figures,
        conclusions=statement.conclusions,
        recommendations=statement.recommendations,
        replaces=statement,
        author=actor,
    )
    correction.full_clean()
    correction.save()
    _set_recipients(correction, {row.user_id: row.as_class_teacher for row in statement.recipients.all()})
    return correction
