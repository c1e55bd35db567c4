"""The bulk apply of an import: fixed queries, the services' rules, permissions and history, all or nothing."""

import datetime as dt
import re

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import get_perms

from accounts import services as account_services
from accounts.choices import ParentKind, Role
from accounts.models import ParentChild, ParentProfile, PupilProfile, PupilUserObjectPermission, User
from journal import services as journal_services
from journal.choices import ImportKind, YearStatus
from journal.models import Enrollment, ImportJob, SchoolClass
from journal.services.imports import apply as import_services
from journal.services.imports import checks
from journal.services.imports.apply import import_apply
from journal.tests.test_imports import pupil_row, staff_row, upload

SURNAMES = ["Белов", "Чернов", "Орлов", "Волков", "Зайцев", "Лисин", "Медведев", "Соболев", "Гусев", "Щукин"]
FIRST_NAMES = ["Антон", "Борис", "Глеб", "Денис", "Егор", "Захар", "Илья", "Кирилл"]


def many_pupils(count: int, start: int = 0) -> list[list[str]]:
    """``count`` distinct pupils of 7 «А» and 8 «Б», each with a new mother and father."""
    rows = []
    for number in range(start, start + count):
        surname = SURNAMES[number % len(SURNAMES)]
        first = FIRST_NAMES[number // len(SURNAMES) % len(FIRST_NAMES)]
        rows.append(
            pupil_row(
                last_name=surname,
                first_name=first,
                middle_name="Олегович",
                date_of_birth=(dt.date(2012, 1, 1) + dt.timedelta(days=number)).strftime("%d.%m.%Y"),
                class_name="7А" if number % 2 else "8Б",
                parent1_name=f"{surname}а Мария Ивановна",
                parent1_phone=f"+7 900 {number:03d}-00-01",
                parent1_email="",
                parent2_name=f"{surname} Олег Петрович",
                parent2_kind="отец",
                parent2_phone=f"+7 901 {number:03d}-00-02",
            )
        )
    return rows


def statement_shape(queries: list[dict]) -> list[str]:
    """The statements run, with Django's batches of one INSERT merged (SQLite splits big inserts by 999 values)."""
    shape: list[str] = []
    for query in queries:
        sql = query["sql"]
        insert = re.match(r'INSERT (?:OR IGNORE )?INTO "?(\w+)"?', sql)
        # Values written into the statement (a JSON of rows, a name) differ with the data: they are not its shape.
        bare = re.sub(r"'(?:[^']|'')*'", "'…'", sql.split(" WHERE ")[0])
        kind = f"INSERT {insert.group(1)}" if insert else re.sub(r"\d+", "N", bare)[:80]
        if not (insert and shape and shape[-1] == kind):
            shape.append(kind)
    return shape


def counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        PupilProfile.objects.count(),
        ParentProfile.objects.count(),
        ParentChild.objects.count(),
        Enrollment.objects.count(),
        PupilUserObjectPermission.objects.count(),
        PupilProfile.history.count(),
        ParentProfile.history.count(),
        ParentChild.history.count(),
        Enrollment.history.count(),
    )


# --- queries ----------------------------------------------------------------------------------


def test_applying_10_or_40_rows_runs_the_same_queries(cast):
    measured = []
    for start, size in ((0, 10), (10, 40)):
        job = upload(cast, many_pupils(size, start=start))
        assert job.errors == []
        with CaptureQueriesContext(connection) as queries:
            import_apply(actor=cast.admin, job=job)
        measured.append(queries.captured_queries)
    small, large = measured
    assert statement_shape(small) == statement_shape(large)
    if connection.vendor != "sqlite":
        assert len(small) == len(large)  # PostgreSQL inserts any number of rows in one statement
    # Pinned as statements, Django's batches of one INSERT merged: SQLite splits an INSERT by its 999 variables, so the
    # raw count there grows with the rows (22 for 10 rows, 23 for 40). The job's applied_at read again, current year,
    # its classes, pupils who may already exist, the school's parents, taken logins (all outside the transaction);
    # SAVEPOINT, UPDATE the job (the claim), SAVEPOINT, INSERT users, pupils, their history, parents, their history,
    # parent links, their history, enrollments, their history, the families' diary permissions, RELEASE, UPDATE the
    # job (the result), RELEASE
    assert len(statement_shape(large)) == 22
    assert User.objects.filter(role=Role.PUPIL, last_name__in=SURNAMES).count() == 50
    assert ParentProfile.objects.filter(user__first_name="Мария").count() == 50


def test_staff_import_queries_do_not_grow(cast):
    measured = []
    for letters, size in (("аб", 3), ("вгдежз", 30)):
        rows = [
            staff_row(last_name=f"Сотрудник{a}{b}", email="", phone="", username="")
            for a in letters
            for b in "абвгд"[: max(1, size // len(letters))]
        ]
        job = upload(cast, rows, kind=ImportKind.STAFF)
        assert job.errors == []
        with CaptureQueriesContext(connection) as queries:
            import_apply(actor=cast.admin, job=job)
        measured.append(queries.captured_queries)
    assert statement_shape(measured[0]) == statement_shape(measured[1])
    # The job's applied_at read again, the school's staff, taken logins; SAVEPOINT, UPDATE the job (the claim),
    # SAVEPOINT, INSERT users, RELEASE, UPDATE the job (the result), RELEASE
    assert len(statement_shape(measured[1])) == 10


def test_taken_logins_are_the_base_and_the_base_with_digits(cast):
    for username in ("Ivanov.AP", "ivanov.ap7", "ivanov.apx", "xivanov.ap", "ivanov.a"):
        User.objects.create(username=username, role=Role.PUPIL, school=cast.school)
    assert checks._taken_logins(["ivanov.ap", "petrov.i"]) == {"ivanov.ap", "ivanov.ap7"}
    assert checks._taken_logins([]) == set()


# --- the same result as the services ----------------------------------------------------------


def test_the_bulk_path_grants_what_the_services_grant(cast):
    cast.parent_user.email = "olga@example.ru"
    cast.parent_user.save()
    job = upload(
        cast,
        [
            pupil_row(parent2_name="Соколов Илья Петрович", parent2_kind="отец", parent2_phone="+7 900 111-11-11"),
            # the cast's parent, found by ФИО and e-mail, is linked to a new child
            pupil_row(
                last_name="Новиков",
                parent1_name="Родитель Ольга",
                parent1_phone="",
                parent1_email="olga@example.ru",
            ),
        ],
    )
    assert job.errors == []
    import_apply(actor=cast.admin, job=job)
    pupil = PupilProfile.objects.get(user__username="sokolov.ai")
    mother = ParentProfile.objects.get(user__username="sokolova.ip")
    other_child = PupilProfile.objects.get(user__username="novikov.ai")

    # the same people made one by one through the services
    svc_pupil = account_services.pupil_create(
        actor=cast.admin,
        school=cast.school,
        username="svc.pupil",
        last_name="Сервисов",
        first_name="Иван",
        date_of_birth=dt.date(2013, 4, 12),
        sex="m",
    )
    journal_services.enrollment_create(
        actor=cast.admin, pupil=svc_pupil, school_class=cast.class_a, date_from=cast.year.start_date
    )
    svc_mother = account_services.parent_create(
        actor=cast.admin, school=cast.school, username="svc.mother", last_name="Сервисова", first_name="Анна"
    )
    account_services.parent_link(actor=cast.admin, parent=svc_mother, pupil=svc_pupil, kind=ParentKind.MOTHER)
    account_services.parent_link(actor=cast.admin, parent=cast.parent, pupil=svc_pupil, kind=ParentKind.MOTHER)

    assert get_perms(pupil.user, pupil) == get_perms(svc_pupil.user, svc_pupil) == ["view_pupil_diary"]
    assert get_perms(mother.user, pupil) == get_perms(svc_mother.user, svc_pupil) == ["view_pupil_diary"]
    assert get_perms(cast.parent_user, other_child) == get_perms(cast.parent_user, svc_pupil) == ["view_pupil_diary"]
    assert get_perms(mother.user, other_child) == get_perms(svc_mother.user, pupil) == []
    assert get_perms(pupil.user, other_child) == []

    def grant_rows(child: PupilProfile) -> list[tuple[str, str]]:
        rows = PupilUserObjectPermission.objects.filter(content_object=child)
        return sorted((row.user.role, row.permission.codename) for row in rows)

    assert (
        grant_rows(pupil)
        == grant_rows(svc_pupil)
        == [
            ("parent", "view_pupil_diary"),
            ("parent", "view_pupil_diary"),
            ("pupil", "view_pupil_diary"),
        ]
    )
    for field in ("is_staff", "is_superuser", "is_active", "role", "school_id", "email", "phone"):
        assert getattr(pupil.user, field) == getattr(svc_pupil.user, field), field
    for field in ("is_staff", "is_superuser", "is_active", "role", "school_id"):
        assert getattr(mother.user, field) == getattr(svc_mother.user, field), field
    for user in (pupil.user, mother.user):
        assert not is_password_usable(user.password)
        assert user.password.startswith("!") and len(user.password) == len(svc_pupil.user.password)
    assert pupil.user.password != mother.user.password  # each its own random value, as set_unusable_password does
    assert mother.info_form == svc_mother.info_form


def test_imported_admins_get_the_flags_user_create_gives(cast):
    job = upload(
        cast,
        [staff_row(role="администратор", username="it.admin"), staff_row(last_name="Зайцева", role="учитель")],
        kind=ImportKind.STAFF,
    )
    import_apply(actor=cast.admin, job=job)
    made = account_services.user_create(
        actor=cast.admin, school=cast.school, role=Role.ADMIN, username="svc.admin", last_name="А", first_name="Б"
    )
    admin = User.objects.get(username="it.admin")
    teacher = User.objects.get(last_name="Зайцева")
    # A school's admin is never Django staff nor a superuser (the Django admin is the platform operator's).
    assert (admin.is_staff, admin.is_superuser) == (made.is_staff, made.is_superuser) == (False, False)
    assert (teacher.is_staff, teacher.is_superuser) == (False, False)
    assert admin.email == "orlova@example.ru" and admin.phone == "+7 900 000-00-01"
    assert not admin.has_usable_password()
    job.refresh_from_db()
    assert [row["result"] for row in job.rows] == [{"user_id": admin.pk}, {"user_id": teacher.pk}]


def test_history_rows_are_written_by_the_admin(cast):
    job = upload(cast, [pupil_row(parent2_name="Соколов Илья Петрович", parent2_kind="отец")])
    import_apply(actor=cast.admin, job=job)
    pupil = PupilProfile.objects.get(user__username="sokolov.ai")
    mother = ParentProfile.objects.get(user__username="sokolova.ip")
    records = [
        pupil.history.get(),
        mother.history.get(),
        ParentChild.history.get(parent_id=mother.pk, pupil_id=pupil.pk),
        Enrollment.history.get(pupil_id=pupil.pk),
    ]
    assert ParentChild.history.filter(pupil_id=pupil.pk).count() == 2
    job.refresh_from_db()
    for record in records:
        assert (record.history_type, record.history_user, record.history_date) == ("+", cast.admin, job.applied_at)
    assert records[0].date_of_birth == dt.date(2013, 4, 12)
    assert records[3].school_class_id == cast.class_a.pk


# --- nothing is written -------------------------------------------------------------------------


def test_a_generated_login_taken_since_the_preview_writes_nothing(cast):
    job = upload(cast, [pupil_row(last_name="Белов"), pupil_row()])
    assert job.rows[1]["preview"]["username"] == "sokolov.ai"
    account_services.user_create(
        actor=cast.admin, school=cast.school, role=Role.TEACHER, username="sokolov.ai", last_name="С", first_name="А"
    )
    before = counts()
    with pytest.raises(ValidationError) as error:
        import_apply(actor=cast.admin, job=job)
    message = error.value.messages[0]
    assert "строка 3: Логин «sokolov.ai», показанный при проверке, уже занят." in message
    assert "строка 2" not in message
    assert counts() == before
    assert ImportJob.objects.get(pk=job.pk).applied_at is None


def test_a_parents_login_taken_since_the_preview_writes_nothing(cast):
    job = upload(cast, [pupil_row()])
    assert job.rows[0]["preview"]["parents"][0]["username"] == "sokolova.ip"
    User.objects.create(username="Sokolova.IP", role=Role.PARENT, school=cast.school)
    before = counts()
    with pytest.raises(ValidationError, match="Родитель 1: логин «sokolova.ip», показанный при проверке, уже занят"):
        import_apply(actor=cast.admin, job=job)
    assert counts() == before


def test_a_given_login_taken_since_the_preview_writes_nothing(cast):
    job = upload(cast, [pupil_row(last_name="Белов"), pupil_row(username="artem2013")])
    User.objects.create(username="artem2013", role=Role.PUPIL, school=cast.school)
    before = counts()
    with pytest.raises(ValidationError, match="строка 3: Логин «artem2013» уже занят"):
        import_apply(actor=cast.admin, job=job)
    assert counts() == before


def test_a_parent_matched_at_the_preview_and_gone_writes_nothing(cast):
    cast.parent_user.phone = "+7 900 555-44-33"
    cast.parent_user.save()
    job = upload(cast, [pupil_row(parent1_name="Родитель Ольга", parent1_phone="89005554433", parent1_email="")])
    assert job.rows[0]["preview"]["parents"][0]["existing"] is True
    cast.parent_user.phone = "+7 900 000-00-00"  # the parent's card was corrected meanwhile
    cast.parent_user.save()
    before = counts()
    with pytest.raises(ValidationError, match="Родитель 1: сведения о родителях в школе изменились"):
        import_apply(actor=cast.admin, job=job)
    assert counts() == before


def test_a_year_closed_since_the_preview_writes_nothing(cast):
    job = upload(cast, [pupil_row()])
    journal_services.school_year_set_status(actor=cast.admin, year=cast.year, status=YearStatus.CLOSED)
    before = counts()
    with pytest.raises(ValidationError, match="закрыт"):
        import_apply(actor=cast.admin, job=job)
    assert counts() == before
    assert ImportJob.objects.get(pk=job.pk).applied_at is None


# --- the services' rules, enforced on the bulk path itself -------------------------------------


def altered_plans(monkeypatch, change) -> None:
    """Let ``check_rows`` pass, then change its plans: the write path must still refuse what the services refuse."""
    real = import_services.check_rows

    def check_rows(**kwargs):
        checks = real(**kwargs)
        for check in checks:
            change(check)
        return checks

    monkeypatch.setattr(import_services, "check_rows", check_rows)


def refused(cast, monkeypatch, change, rows=None) -> str:
    job = upload(cast, rows or [pupil_row(last_name="Белов"), pupil_row()])
    assert job.errors == []
    altered_plans(monkeypatch, change)
    before = counts()
    with pytest.raises(ValidationError) as error:
        import_apply(actor=cast.admin, job=job)
    assert counts() == before
    assert ImportJob.objects.get(pk=job.pk).applied_at is None
    return error.value.messages[0]


def on_line(line: int, change):
    return lambda check: change(check) if check.line == line else None


def test_the_closed_year_rule(cast, monkeypatch):
    def close(check):
        check.plan.school_class.year.status = YearStatus.CLOSED

    message = refused(cast, monkeypatch, on_line(2, close))
    assert message == "Строка 2: Учебный год 2026/2027 закрыт: изменения в нём невозможны. Файл не загружен."


def test_the_enrolment_date_rule(cast, monkeypatch):
    def too_late(check):
        check.plan.date_from = dt.date(2027, 6, 1)

    message = refused(cast, monkeypatch, on_line(3, too_late))
    assert message == "Строка 3: Дата зачисления должна лежать внутри учебного года. Файл не загружен."


def test_the_same_school_rule_for_the_class(cast, monkeypatch):
    foreign_year = journal_services.school_year_create(
        actor=cast.foreign_admin,
        school=cast.foreign_admin.school,
        name="2026/2027",
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2027, 5, 26),
    )
    foreign_class = journal_services.class_create(actor=cast.foreign_admin, year=foreign_year, grade=7, letter="В")

    def elsewhere(check):
        check.plan.school_class = SchoolClass.objects.select_related("year").get(pk=foreign_class.pk)

    assert "Строка 2: Класс 7 «В» относится к другой школе." in refused(cast, monkeypatch, on_line(2, elsewhere))


def test_the_same_school_rule_for_a_parent(cast, monkeypatch):
    foreign = account_services.parent_create(
        actor=cast.foreign_admin,
        school=cast.foreign_admin.school,
        username="foreign.parent",
        last_name="Чужая",
        first_name="Анна",
    )

    def foreign_parent(check):
        check.plan.parents[0].existing = ParentProfile.objects.select_related("user").get(pk=foreign.pk)

    message = refused(cast, monkeypatch, on_line(2, foreign_parent))
    assert message.startswith("Строка 2: Родитель и учащийся относятся к разным школам.")


def test_one_parent_is_linked_once(cast, monkeypatch):
    def twice(check):
        check.plan.parents[1].existing = check.plan.parents[0].existing = cast.parent

    rows = [pupil_row(parent2_name="Соколов Илья Петрович", parent2_kind="отец")]
    message = refused(cast, monkeypatch, twice, rows=rows)
    assert message.startswith("Строка 2: Этот родитель уже связан с этим учащимся.")


def test_model_validation_still_runs(cast, monkeypatch):
    def bad_sex(check):
        check.plan.sex = "x"

    assert refused(cast, monkeypatch, on_line(2, bad_sex)).startswith("Строка 2: ")
