"""Imports of lists (pupils with parents, staff): upload and check, then apply the whole file in one transaction.

Uploading writes only the ImportJob (the rows and their problems) for the preview. Applying
checks every row again against the school as it is then, and creates users, enrolments and
parent links through the same services the rest of the application uses, so the object
permissions are granted the usual way. One bad row and nothing is written.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from journal.services import enrollment_create

from ..choices import ImportKind
from ..imports import PupilPlan, RowCheck, StaffPlan, check_rows, read_table
from ..models import ImportJob, ParentProfile, School, User
from .users import ensure_school_admin, parent_create, parent_link, pupil_create, user_create

MAX_LISTED_PROBLEMS = 10


@transaction.atomic
def import_upload(*, actor: User, school: School, kind: str, file_name: str, content: bytes) -> ImportJob:
    """Read and check a file; the job keeps every row and every row's problems for the preview. No user is written."""
    ensure_school_admin(actor, school)
    if kind not in ImportKind.values:
        raise ValidationError(_("Неизвестный вид списка."))
    rows = read_table(kind, file_name, content)
    checks = check_rows(kind=kind, school=school, rows=rows, today=timezone.localdate())
    job = ImportJob(
        school=school,
        kind=kind,
        file_name=file_name[-255:],
        rows=[check.stored() for check in checks],
        errors=[{"line": check.line, "message": message} for check in checks for message in check.errors],
        created_by=actor,
    )
    job.full_clean(exclude=["rows", "errors"])  # an empty list of errors is the good case, not a blank field
    job.save()
    return job


@transaction.atomic
def import_apply(*, actor: User, job: ImportJob) -> ImportJob:
    """Create everything the clean file describes, in one transaction; refuse a file with problems or applied before."""
    ensure_school_admin(actor, job.school)
    if job.applied_at is not None:
        raise ValidationError(_("Этот файл уже загружен в школу %(date)s.") % {"date": _local(job.applied_at)})
    if job.errors:
        raise ValidationError(_("В файле есть ошибки: исправьте их в таблице и загрузите файл снова."))
    # Claim the job first: a second click (or a second admin) waits here and then finds it applied.
    applied_at = timezone.now()
    if not ImportJob.objects.filter(pk=job.pk, applied_at__isnull=True).update(applied_at=applied_at):
        raise ValidationError(_("Этот файл уже загружен в школу."))
    checks = check_rows(kind=job.kind, school=job.school, rows=job.rows, today=timezone.localdate())
    problems = [(check.line, message) for check in checks for message in check.errors]
    if problems:
        raise ValidationError(
            _("Со времени проверки данные школы изменились, и файл не загружен: %(problems)s Загрузите файл снова.")
            % {"problems": _listed(problems)}
        )
    results = (
        _apply_pupils(actor, job.school, checks)
        if job.kind == ImportKind.PUPILS
        else _apply_staff(actor, job.school, checks)
    )
    for row, result in zip(job.rows, results, strict=True):
        row["result"] = result
    job.applied_at = applied_at
    job.save(update_fields=["rows", "applied_at"])
    return job


def _apply_staff(actor: User, school: School, checks: list[RowCheck]) -> list[dict]:
    results = []
    for check in checks:
        plan = check.plan
        assert isinstance(plan, StaffPlan)
        with _row(check):
            user = user_create(
                actor=actor,
                school=school,
                role=plan.role,
                username=plan.username,
                last_name=plan.last_name,
                first_name=plan.first_name,
                middle_name=plan.middle_name,
                email=plan.email,
                phone=plan.phone,
            )
        results.append({"user_id": user.pk})
    return results


def _apply_pupils(actor: User, school: School, checks: list[RowCheck]) -> list[dict]:
    existing_ids = {
        parent.existing.pk for check in checks for parent in check.plan.parents if parent.existing is not None
    }
    existing = {p.pk: p for p in ParentProfile.objects.filter(pk__in=existing_ids).select_related("user__school")}
    created: dict[str, ParentProfile] = {}
    results = []
    for check in checks:
        plan = check.plan
        assert isinstance(plan, PupilPlan)
        result = {"user_id": None, "class_id": plan.school_class.pk, "parents_created": [], "parents_linked": []}
        with _row(check):
            pupil = pupil_create(
                actor=actor,
                school=school,
                username=plan.username,
                last_name=plan.last_name,
                first_name=plan.first_name,
                middle_name=plan.middle_name,
                date_of_birth=plan.date_of_birth,
                sex=plan.sex,
            )
            enrollment_create(actor=actor, pupil=pupil, school_class=plan.school_class, date_from=plan.date_from)
            for parent_plan in plan.parents:
                if parent_plan.existing is not None:
                    parent = existing[parent_plan.existing.pk]
                    result["parents_linked"].append(parent.user_id)
                elif parent_plan.same_as:
                    parent = created[parent_plan.same_as]
                    result["parents_linked"].append(parent.user_id)
                else:
                    parent = parent_create(
                        actor=actor,
                        school=school,
                        username=parent_plan.username,
                        last_name=parent_plan.last_name,
                        first_name=parent_plan.first_name,
                        middle_name=parent_plan.middle_name,
                        email=parent_plan.email,
                        phone=parent_plan.phone,
                    )
                    created[f"{check.line}:{parent_plan.slot}"] = parent
                    result["parents_created"].append(parent.user_id)
                parent_link(actor=actor, parent=parent, pupil=pupil, kind=parent_plan.kind)
        result["user_id"] = pupil.user_id
        results.append(result)
    return results


@contextmanager
def _row(check: RowCheck) -> Iterator[None]:
    """Name the row in any refusal raised while it is written (the transaction then rolls back the whole file)."""
    try:
        yield
    except ValidationError as error:
        raise ValidationError(
            _("Строка %(line)s: %(message)s Файл не загружен.")
            % {"line": check.line, "message": " ".join(error.messages)}
        ) from error


def _listed(problems: list[tuple[int, str]]) -> str:
    listed = " ".join(
        _("строка %(line)s: %(message)s") % {"line": line, "message": message}
        for line, message in problems[:MAX_LISTED_PROBLEMS]
    )
    if len(problems) > MAX_LISTED_PROBLEMS:
        listed += " " + _("…и ещё %(count)s.") % {"count": len(problems) - MAX_LISTED_PROBLEMS}
    return listed


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")
