"""Demo weekly remarks: the runs of the last two Mondays, made by the real service over the demo's journal.

The week before last is recorded as its Monday's run saw it (``today`` a week back, the remarks opened that Monday
at 05:00); then last week's run, as this Monday's, records last week's lapses and closes the earlier remarks whose
lapses are gone since (a pupil's marks added in the meantime; every other lesson without a topic, whose teacher
entered the topic or took the register the day after the remark). This week's run is claimed, so that the
beat does not run it again.
"""

import datetime as dt

from accounts.models import School
from journal.models import Lesson

from ..models import AuditRemark
from ..services.remarks import RemarksRecorded, record_weekly_remarks, remarks_due_at, remarks_week_claim


def seed_remarks(*, school: School, today: dt.date) -> list[RemarksRecorded]:

    monday = today - dt.timedelta(days=today.weekday())
    runs = []
    for run_monday in (monday - dt.timedelta(days=7), monday):
        run_day = today if run_monday == monday else run_monday
        if run_monday == monday:
            _fix_some(school, since=remarks_due_at(school, run_monday - dt.timedelta(days=7)))
        runs.append(record_weekly_remarks(school=school, today=run_day, now=remarks_due_at(school, run_monday)))
    remarks_week_claim(school=school, monday=monday)
    return runs


def _fix_some(school: School, *, since: dt.datetime) -> None:
    """Every other open remark on a lesson record is acted on the day after it: the topic entered (the КТП's, else a
    plain one), the register taken; the journal's history dated so. (Homework given late stays a lapse: the demo's
    homework is all given within the lesson's days.)"""
    moment = since + dt.timedelta(days=1, hours=9)
    remarks = AuditRemark.objects.filter(school=school, closed_at__isnull=True, lesson__isnull=False)
    chosen: dict[str, list[int]] = {}
    for check in ("no_topic", "no_attendance"):
        ids = remarks.filter(check_slug=check).order_by("day", "pk").values_list("lesson_id", flat=True)
        chosen[check] = list(ids)[::2]
    lessons = Lesson.objects.filter(pk__in=[pk for ids in chosen.values() for pk in ids]).select_related(
        "plan_topic", "assignment"
    )
    for lesson in lessons:
        plan = lesson.plan_topic
        if lesson.pk in chosen["no_topic"]:
            lesson.topic = plan.title if plan is not None else "Повторение пройденного материала"
            if plan is not None:  # the record as the plan prefills it
                lesson.work_type_id = plan.work_type_id
            lesson.recorded_at = moment
            lesson.save(update_fields=["topic", "work_type", "recorded_at"])
            _date_last_history(Lesson, lesson.pk, moment)
        if lesson.pk in chosen["no_attendance"]:
            Lesson.objects.filter(pk=lesson.pk).update(attendance_taken_at=moment)


def _date_last_history(model, pk: int, moment: dt.datetime) -> None:
    last = model.history.filter(id=pk).order_by("-history_id").values_list("history_id", flat=True)[0]
    model.history.filter(history_id=last).update(history_date=moment)
