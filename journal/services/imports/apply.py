"""Imports of lists (pupils with parents, staff): upload and check, then apply the whole file in one transaction.

Uploading writes only the ImportJob (the rows and their problems) for the preview. Applying is a Celery job, like
paper diaries: ``import_apply_request`` claims the job (queued) and hands it to ``journal.tasks.import_apply_job``
after the commit; the task calls ``import_job_run``, which claims it again (queued → running, so a second delivery
does nothing), and runs ``import_apply``, writing the progress as it goes; the upload's page follows it. In
development and tests Celery runs eagerly: the job is done when the request's transaction ends.

``import_apply`` checks every row again against the school as it is then, and writes the whole file in bulk: a fixed
number of queries whatever the number of rows (a school loads 1,000+ pupils at once in late August), plus one UPDATE
of the progress per PROGRESS_EVERY rows. The bulk path enforces the rules of the per-object services it stands in
for (``user_create``, ``pupil_create``, ``parent_create``, ``parent_link``, ``enrollment_create``): the school admin
only, a year open for changes, the enrolment date inside the year, one class per pupil, one school; it grants the
same object permissions (``permission_rows``, as ``grant`` does) and writes the same history rows. One bad row and
nothing is written: a failed job keeps the reason.
"""

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.choices import Role
from accounts.models import ParentChild, ParentProfile, PupilProfile, PupilUserObjectPermission, School, User
from accounts.permissions import permission_rows
from accounts.services.users import ensure_school_admin
from journal.choices import ImportKind
from journal.models import Enrollment, ImportJob, SchoolClass
from journal.models.people import IMPORT_STALL_AFTER
from journal.services import ensure_year_writable
from journal.services.imports.checks import PersonPlan, PupilPlan, RowCheck, StaffPlan, check_rows
from journal.services.imports.table import read_table
from journal.services.queue import task_delay

logger = logging.getLogger(__name__)

Status = ImportJob.Status
Progress = Callable[[int], None]
MAX_LISTED_PROBLEMS = 10
PROGRESS_EVERY = 250  # rows prepared between two writes of the progress: 20 small UPDATEs for 5,000 rows
ERROR_LENGTH = 2000
# The job's state, without its rows (a big file's rows are megabytes of JSON).
JOB_STATE_FIELDS = [
    "status",
    "applied_at",
    "applied_by",
    "queued_at",
    "started_at",
    "finished_at",
    "progress_done",
    "progress_total",
    "error",
]
# Fields not validated object by object: foreign keys (each would cost a query; they point at rows
# this module has just loaded or is about to create) and uniqueness (checked for the whole file
# by ``check_rows``, and by the database's constraints when the rows are written).
_NO_QUERY_CLEAN = {"validate_unique": False, "validate_constraints": False}


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


def _ensure_applicable(job: ImportJob) -> None:
    if job.applied_at is not None:
        raise ValidationError(_("Этот файл уже загружен в школу %(date)s.") % {"date": _local(job.applied_at)})
    if job.errors:
        raise ValidationError(_("В файле есть ошибки: исправьте их в таблице и загрузите файл снова."))


@transaction.atomic
def import_apply_request(*, actor: User, job: ImportJob) -> ImportJob:
    """Queue a clean file to be applied by Celery after the commit, and return the job as it then stands.

    The claim is a conditional UPDATE (checked, failed or stalled → queued): a second click, a second tab or a
    second admin finds the job queued or running and queues nothing. Without a broker (development, tests) the task
    runs at the commit, so the job is done (or failed) when the caller's transaction ends.
    """
    ensure_school_admin(actor, job.school)
    _ensure_applicable(job)
    now = timezone.now()
    claimable = Q(status__in=[Status.CHECKED, Status.FAILED]) | Q(
        status__in=[Status.QUEUED, Status.RUNNING], queued_at__lt=now - IMPORT_STALL_AFTER
    )
    claimed = ImportJob.objects.filter(claimable, pk=job.pk, applied_at__isnull=True).update(
        status=Status.QUEUED,
        applied_by=actor,
        queued_at=now,
        started_at=None,
        finished_at=None,
        error="",
        progress_done=0,
        progress_total=len(job.rows),
    )
    if claimed:
        transaction.on_commit(partial(enqueue, job.pk))
    job.refresh_from_db(fields=JOB_STATE_FIELDS)
    if not claimed:
        _ensure_applicable(job)  # applied meanwhile: say so; queued or running: the caller follows it
    return job


def enqueue(job_id: int) -> None:
    """Hand a queued job to Celery. A broker that is down fails the job at once, with the reason on the page, rather
    than leaving it queued for nobody."""
    try:
        task_delay("journal.tasks.import_apply_job", job_id)
    except Exception as error:
        logger.exception("import job %s not handed to Celery", job_id)
        ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
            status=Status.FAILED,
            error=_("Не удалось поставить в очередь: %(error)s") % {"error": _error_text(error)},
            finished_at=timezone.now(),
        )


def import_job_run(job_id: int) -> str:
    """The task's work: claim a queued job (queued → running), apply its file, and leave it done, or failed with the
    reason. Returns the status it left, or "skipped" when there was nothing to claim (a second delivery, a second
    worker). The data is written in one transaction (``import_apply``); the progress and the failure are written
    outside it, so the page sees them and a failure keeps its reason while the data rolls back."""
    claimed = ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("school", "applied_by").get(pk=job_id)
    try:
        import_apply(actor=job.applied_by, job=job, progress=partial(_progress, job_id))
    except Exception as error:  # a rule, a change since the preview, the database, a time limit: the job says why
        if not isinstance(error, (ValidationError, PermissionDenied)):
            logger.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(
            status=Status.FAILED, error=_error_text(error), finished_at=timezone.now()
        )
        return Status.FAILED
    return Status.DONE


def _progress(job_id: int, done: int) -> None:
    ImportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(progress_done=done)


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)[:ERROR_LENGTH]
    if isinstance(error, PermissionDenied):
        return (str(error) or _("Загружать списки может только администратор школы."))[:ERROR_LENGTH]
    return f"{type(error).__name__}: {error}"[:ERROR_LENGTH]


def import_apply(*, actor: User, job: ImportJob, progress: Progress | None = None) -> ImportJob:
    """Create everything the clean file describes, in one transaction; refuse a file with problems or applied before.

    The rows are checked again and their objects built first (reads only), calling ``progress(rows prepared)`` every
    PROGRESS_EVERY rows; then, in one transaction, the job is claimed (applied_at, conditionally: a second apply finds
    it taken) and everything is inserted in bulk, and the job is marked done.
    """
    ensure_school_admin(actor, job.school)
    _ensure_applicable(job)
    # Read again: a second request holding an older copy of the job must not check and build the file again.
    applied_before = ImportJob.objects.filter(pk=job.pk).values_list("applied_at", flat=True).first()
    if applied_before is not None:
        raise ValidationError(_("Этот файл уже загружен в школу %(date)s.") % {"date": _local(applied_before)})
    checks = check_rows(kind=job.kind, school=job.school, rows=job.rows, today=timezone.localdate())
    problems = [(check.line, message) for check in checks for message in check.errors]
    problems += _changed_since_preview(job.rows, checks)
    if problems:
        raise ValidationError(
            _("Со времени проверки данные школы изменились, и файл не загружен: %(problems)s Загрузите файл снова.")
            % {"problems": _listed(sorted(problems, key=lambda problem: problem[0]))}
        )
    counted = _counted(progress)
    if job.kind == ImportKind.PUPILS:
        batch = _pupil_batch(job.school, counted(checks))
    else:
        batch = _staff_batch(job.school, counted(checks))
    with transaction.atomic():
        # Claim the file: a second apply that got this far waits here, then finds it applied.
        applied_at = timezone.now()
        if not ImportJob.objects.filter(pk=job.pk, applied_at__isnull=True).update(applied_at=applied_at):
            raise ValidationError(_("Этот файл уже загружен в школу."))
        try:
            with transaction.atomic():
                _write(actor, batch, applied_at)
        except IntegrityError as error:
            # Only a write made by someone else between the check above and these inserts gets here
            # (a login taken a moment ago): the outer transaction rolls the whole file back.
            raise ValidationError(
                _(
                    "Файл не загружен: пока он записывался, данные школы изменились (например, кто-то занял тот же "
                    "логин). Загрузите файл снова."
                )
            ) from error
        for row, result in zip(job.rows, batch.results(), strict=True):
            row["result"] = result
        job.applied_at = applied_at
        job.status = Status.DONE
        job.progress_done = job.progress_total = len(job.rows)
        job.finished_at = timezone.now()
        job.save(update_fields=["rows", "applied_at", "status", "progress_done", "progress_total", "finished_at"])
    return job


def _counted(progress: Progress | None) -> Callable[[list[RowCheck]], Iterator[RowCheck]]:
    """The rows, with ``progress(n)`` called after every PROGRESS_EVERY of them and after the last."""

    def rows(checks: list[RowCheck]) -> Iterator[RowCheck]:
        for number, check in enumerate(checks, start=1):
            yield check
            if progress is not None and (number % PROGRESS_EVERY == 0 or number == len(checks)):
                progress(number)

    return rows


# --- building the rows --------------------------------------------------------------------------


@dataclass
class _RowObjects:
    """What one row of the file creates; the ids are read once the batch is written."""

    user: User
    school_class: SchoolClass | None = None
    parents: list[tuple[str, ParentProfile]] = field(default_factory=list)  # ("parents_created" | "parents_linked", …)


@dataclass
class _Batch:
    """Every unsaved object of a file, in the order they are written."""

    kind: str
    rows: list[_RowObjects] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    pupils: list[PupilProfile] = field(default_factory=list)
    parents: list[ParentProfile] = field(default_factory=list)
    links: list[ParentChild] = field(default_factory=list)
    enrollments: list[Enrollment] = field(default_factory=list)

    def results(self) -> list[dict]:
        """Each row's result as ImportJob.rows keeps it (the import summary page reads it)."""
        if self.kind != ImportKind.PUPILS:
            return [{"user_id": row.user.pk} for row in self.rows]
        results = []
        for row in self.rows:
            result = {
                "user_id": row.user.pk,
                "class_id": row.school_class.pk,
                "parents_created": [],
                "parents_linked": [],
            }
            for bucket, parent in row.parents:
                result[bucket].append(parent.user_id)
            results.append(result)
        return results


def _new_user(school: School, role: str, plan: PersonPlan, *, email: str = "", phone: str = "") -> User:
    """An unsaved user as ``user_create`` makes it without a password: validated, with an unusable password."""
    user = User(
        school=school,
        role=role,
        username=plan.username,
        last_name=plan.last_name,
        first_name=plan.first_name,
        middle_name=plan.middle_name,
        email=email,
        phone=phone,
    )
    # What set_unusable_password() stores: "!" and 40 random characters, no hashing involved.
    user.password = make_password(None)
    user.full_clean(exclude=["school"], **_NO_QUERY_CLEAN)
    return user


def _staff_batch(school: School, checks: Iterator[RowCheck]) -> _Batch:
    batch = _Batch(kind=ImportKind.STAFF)
    for check in checks:
        plan = check.plan
        assert isinstance(plan, StaffPlan)
        with _row(check):
            user = _new_user(school, plan.role, plan, email=plan.email, phone=plan.phone)
        batch.users.append(user)
        batch.rows.append(_RowObjects(user=user))
    return batch


def _ensure_enrolment_allowed(school: School, school_class: SchoolClass, date_from: dt.date) -> None:
    """``enrollment_create``'s rules for a new pupil of ``school`` (who has no other enrolment yet)."""
    year = school_class.year
    if year.school_id != school.pk:
        raise ValidationError(_("Класс %(name)s относится к другой школе.") % {"name": school_class})
    ensure_year_writable(year)
    if not year.start_date <= date_from <= year.end_date:
        raise ValidationError(_("Дата зачисления должна лежать внутри учебного года."))


def _pupil_batch(school: School, checks: Iterator[RowCheck]) -> _Batch:
    batch = _Batch(kind=ImportKind.PUPILS)
    created: dict[str, ParentProfile] = {}  # "line:slot" -> a parent created by an earlier row
    for check in checks:
        plan = check.plan
        assert isinstance(plan, PupilPlan)
        with _row(check):
            _ensure_enrolment_allowed(school, plan.school_class, plan.date_from)
            user = _new_user(school, Role.PUPIL, plan)  # pupil_create gives a pupil no e-mail or phone
            pupil = PupilProfile(user=user, date_of_birth=plan.date_of_birth, sex=plan.sex)
            pupil.full_clean(exclude=["user"], **_NO_QUERY_CLEAN)
            # The pupil is new, so this is their only enrolment: never in two classes at once.
            enrollment = Enrollment(pupil=pupil, school_class=plan.school_class, date_from=plan.date_from)
            enrollment.full_clean(exclude=["pupil", "school_class"], **_NO_QUERY_CLEAN)
            row = _RowObjects(user=user, school_class=plan.school_class)
            for parent_plan in plan.parents:
                if parent_plan.existing is not None:
                    parent, bucket = parent_plan.existing, "parents_linked"
                elif parent_plan.same_as:
                    parent, bucket = created[parent_plan.same_as], "parents_linked"
                else:
                    parent_user = _new_user(
                        school, Role.PARENT, parent_plan, email=parent_plan.email, phone=parent_plan.phone
                    )
                    parent, bucket = ParentProfile(user=parent_user), "parents_created"
                    parent.full_clean(exclude=["user"], **_NO_QUERY_CLEAN)
                    created[f"{check.line}:{parent_plan.slot}"] = parent
                    batch.users.append(parent_user)
                    batch.parents.append(parent)
                # parent_link's rules
                if parent.user.school_id != school.pk:
                    raise ValidationError(_("Родитель и учащийся относятся к разным школам."))
                if any(linked is parent for _bucket, linked in row.parents):
                    raise ValidationError(_("Этот родитель уже связан с этим учащимся."))
                link = ParentChild(parent=parent, pupil=pupil, kind=parent_plan.kind)
                link.full_clean(exclude=["parent", "pupil"], **_NO_QUERY_CLEAN)
                batch.links.append(link)
                row.parents.append((bucket, parent))
        batch.users.append(user)
        batch.pupils.append(pupil)
        batch.enrollments.append(enrollment)
        batch.rows.append(row)
    return batch


def _write(actor: User, batch: _Batch, moment: dt.datetime) -> None:
    """Insert the batch: a few statements per table (Django splits big inserts on SQLite), whatever its size."""
    history = {"default_user": actor, "default_date": moment}  # the whole file is one change, made when applied
    User.objects.bulk_create(batch.users)  # User has no history; the services write none for it either
    if batch.kind != ImportKind.PUPILS:
        return
    # The foreign keys to the objects inserted above are filled in from their new primary keys.
    bulk_create_with_history(batch.pupils, PupilProfile, **history)
    bulk_create_with_history(batch.parents, ParentProfile, **history)
    bulk_create_with_history(batch.links, ParentChild, **history)
    bulk_create_with_history(batch.enrollments, Enrollment, **history)
    # The grants pupil_profile_create and parent_link make, built the same way (accounts.permissions.grant).
    grants = permission_rows(PupilUserObjectPermission, "pupil_self", [(p.user_id, p.pk) for p in batch.pupils])
    grants += permission_rows(
        PupilUserObjectPermission, "pupil_parent", [(link.parent.user_id, link.pupil_id) for link in batch.links]
    )
    PupilUserObjectPermission.objects.bulk_create(grants, ignore_conflicts=True)


# --- problems -------------------------------------------------------------------------------------


def _changed_since_preview(rows: list[dict], checks: list[RowCheck]) -> list[tuple[int, str]]:
    """Rows that would now create something else than the preview showed (a login taken, a parent changed)."""
    problems = []
    for row, check in zip(rows, checks, strict=True):
        shown, now = row.get("preview") or {}, check.preview
        if check.errors or not shown:
            continue
        if shown.get("username") != now.get("username"):
            problems.append(
                (
                    check.line,
                    _("Логин «%(username)s», показанный при проверке, уже занят.") % {"username": shown["username"]},
                )
            )
        for index, (was, is_now) in enumerate(
            zip(shown.get("parents", []), now.get("parents", []), strict=True), start=1
        ):
            slot = was.get("slot", index)
            if was.get("existing") != is_now.get("existing") or (
                was.get("existing") and was.get("username") != is_now.get("username")
            ):
                problems.append(
                    (
                        check.line,
                        _("Родитель %(n)s: сведения о родителях в школе изменились после проверки файла.")
                        % {"n": slot},
                    )
                )
            elif was.get("username") != is_now.get("username") and not was.get("same_as"):
                problems.append(
                    (
                        check.line,
                        _("Родитель %(n)s: логин «%(username)s», показанный при проверке, уже занят.")
                        % {"n": slot, "username": was.get("username")},
                    )
                )
    return problems


@contextmanager
def _row(check: RowCheck) -> Iterator[None]:
    """Name the row in any refusal raised while it is prepared (the transaction then rolls back the whole file)."""
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
