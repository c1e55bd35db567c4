"""Import of pupils (with parents) and staff: reading CSV/XLSX, every kind of bad row, and the all-or-nothing apply."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from guardian.shortcuts import get_perms
from openpyxl import Workbook

from accounts.choices import InfoForm, ParentKind, Role
from accounts.models import ParentChild, ParentProfile, PupilProfile, User
from journal.choices import ImportKind
from journal.models import Enrollment, ImportJob
from journal.services.imports import table
from journal.services.imports import values as cell_values
from journal.services.imports.apply import import_apply, import_upload

PUPIL_HEADER = [column.title for column in table.PUPIL_COLUMNS]
STAFF_HEADER = [column.title for column in table.STAFF_COLUMNS]


def pupil_row(**values) -> list[str]:
    """A clean row for 7 «А» of the cast; keyword arguments override columns by key."""
    row = {
        "last_name": "Соколов",
        "first_name": "Артём",
        "middle_name": "Ильич",
        "date_of_birth": "12.04.2013",
        "sex": "м",
        "class_name": "7А",
        "date_from": "",
        "username": "",
        "parent1_name": "Соколова Ирина Павловна",
        "parent1_kind": "мать",
        "parent1_phone": "8 (912) 345-67-89",
        "parent1_email": "sokolova@example.ru",
        "parent2_name": "",
        "parent2_kind": "",
        "parent2_phone": "",
        "parent2_email": "",
    }
    row.update(values)
    return [row[column.key] for column in table.PUPIL_COLUMNS]


NO_PARENT = {"parent1_name": "", "parent1_kind": "", "parent1_phone": "", "parent1_email": ""}


def staff_row(**values) -> list[str]:
    row = {
        "last_name": "Орлова",
        "first_name": "Нина",
        "middle_name": "Сергеевна",
        "role": "учитель",
        "email": "orlova@example.ru",
        "phone": "+7 900 000-00-01",
        "username": "",
    }
    row.update(values)
    return [row[column.key] for column in table.STAFF_COLUMNS]


def to_csv(rows, header=PUPIL_HEADER, delimiter=";", encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def to_xlsx(rows, header=PUPIL_HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(cast, rows, kind=ImportKind.PUPILS, **kwargs) -> ImportJob:
    header = PUPIL_HEADER if kind == ImportKind.PUPILS else STAFF_HEADER
    content = to_csv(rows, header=header, **kwargs)
    return import_upload(actor=cast.admin, school=cast.school, kind=kind, file_name="list.csv", content=content)


def messages_of(job: ImportJob) -> list[str]:
    return [error["message"] for error in job.errors]


# --- reading files ----------------------------------------------------------------------------


def test_csv_utf8_with_bom_and_semicolons(cast):
    rows = table.read_table(ImportKind.PUPILS, "список.CSV", to_csv([pupil_row()]))
    assert rows == [{"line": 2, "values": dict(zip([c.key for c in table.PUPIL_COLUMNS], pupil_row(), strict=True))}]


def test_csv_cp1251_with_commas_as_excel_saves_it(cast):
    content = to_csv([pupil_row(parent1_phone="89123456789")], delimiter=",", encoding="cp1251")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    rows = table.read_table(ImportKind.PUPILS, "list.csv", content)
    assert rows[0]["values"]["last_name"] == "Соколов"
    assert rows[0]["values"]["parent1_name"] == "Соколова Ирина Павловна"


def test_csv_without_bom_and_with_excel_separator_line(cast):
    content = b"sep=,\n" + to_csv([pupil_row()], delimiter=",", encoding="utf-8")
    rows = table.read_table(ImportKind.PUPILS, "list.csv", content)
    # Excel hides its «sep=» line: the header is row 1 there, and the rows are numbered as Excel shows them.
    assert rows[0]["line"] == 2 and rows[0]["values"]["class_name"] == "7А"


def test_xlsx_with_date_and_number_cells(cast):
    row = pupil_row()
    row[PUPIL_HEADER.index("Дата рождения")] = dt.datetime(2013, 4, 12)
    row[PUPIL_HEADER.index("Родитель 1 телефон")] = 79123456789
    job = import_upload(
        actor=cast.admin, school=cast.school, kind=ImportKind.PUPILS, file_name="list.xlsx", content=to_xlsx([row])
    )
    assert job.errors == []
    preview = job.rows[0]["preview"]
    assert preview["date_of_birth"] == "12.04.2013"
    assert preview["parents"][0]["phone"] == "+7 912 345-67-89"


def test_a_title_above_the_header_row_is_skipped(cast):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Список учащихся 7 «А» класса на 2026/2027 учебный год"])
    sheet.append([])
    sheet.append(PUPIL_HEADER)
    sheet.append(pupil_row())
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = table.read_table(ImportKind.PUPILS, "list.xlsx", buffer.getvalue())
    assert rows[0]["line"] == 4 and rows[0]["values"]["last_name"] == "Соколов"


def test_headers_are_matched_loosely_and_number_columns_are_ignored(cast):
    header = [
        "№",
        "ФАМИЛИЯ",
        "имя",
        "Дата  рождения",
        "класс",
        "Родитель 1",
        "Родитель 1 Кем приходится",
        "Е-mail родителя 1",
    ]
    header[-1] = "Родитель 1 е-mail"  # Cyrillic «е»
    content = to_csv(
        [["1", "Соколов", "Артём", "12.04.2013", "7 «А»", "Соколова Ирина", "мать", "s@example.ru"]], header
    )
    rows = table.read_table(ImportKind.PUPILS, "list.csv", content)
    assert rows[0]["values"]["parent1_email"] == "s@example.ru"
    assert rows[0]["values"]["class_name"] == "7 «А»"


@pytest.mark.parametrize(
    "file_name, content, message",
    [
        ("list.xls", b"anything", "CSV или XLSX"),
        ("list.pdf", b"%PDF", "CSV или XLSX"),
        ("list.xlsx", b"not a zip", "не похож на книгу Excel"),
        ("list.csv", "Фамилия;Имя\nИванов;Иван\n".encode(), "нет обязательных столбцов"),
        ("list.csv", "Фамилия;Имя;Дата рождения;Класс;Рост\n".encode(), "Неизвестный столбец «Рост»"),
        ("list.csv", ";".join(PUPIL_HEADER).encode() + b"\n\n", "нет ни одной строки"),
        ("list.csv", b"", "нет ни одной строки"),
    ],
)
def test_bad_files_are_refused_whole(cast, file_name, content, message):
    before = ImportJob.objects.count()
    with pytest.raises(ValidationError) as error:
        import_upload(
            actor=cast.admin, school=cast.school, kind=ImportKind.PUPILS, file_name=file_name, content=content
        )
    assert message in " ".join(error.value.messages)
    assert ImportJob.objects.count() == before


def test_size_and_row_limits(cast, monkeypatch):
    with pytest.raises(ValidationError, match="слишком большой"):
        table.read_table(ImportKind.PUPILS, "list.csv", b" " * (table.MAX_FILE_SIZE + 1))
    monkeypatch.setattr(table, "MAX_ROWS", 3)
    with pytest.raises(ValidationError, match="больше 3 строк"):
        table.read_table(ImportKind.PUPILS, "list.csv", to_csv([pupil_row()] * 4))
    assert len(table.read_table(ImportKind.PUPILS, "list.csv", to_csv([pupil_row()] * 3))) == 3


@pytest.mark.parametrize("kind", [ImportKind.PUPILS, ImportKind.STAFF])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_sample_files_read_back(cast, kind, fmt):
    rows = table.read_table(kind, f"sample.{fmt}", table.template_file(kind, fmt))
    assert len(rows) == 1
    assert rows[0]["values"]["last_name"] == table.COLUMNS[kind][0].example
    if kind == ImportKind.PUPILS:
        assert rows[0]["values"]["date_of_birth"] == "15.03.2014"


# --- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5А", (5, "А")),
        ("5 А", (5, "А")),
        ("5 «А»", (5, "А")),
        ('10 "б"', (10, "Б")),
        ("11-B", (11, "В")),
        ("5A", (5, "А")),
    ],
)
def test_class_names(text, expected):
    assert cell_values.parse_class_name(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("8 (912) 345-67-89", "+7 912 345-67-89"),
        ("+79123456789", "+7 912 345-67-89"),
        ("9123456789", "+7 912 345-67-89"),
        ("8 495 123 45 67", "+7 495 123-45-67"),
        ("+375 29 123-45-67", "+375 29 123-45-67"),
        ("", ""),
        ("12", None),
        ("звонить маме", None),
    ],
)
def test_phone_numbers(text, expected):
    assert cell_values.normalize_phone(text) == expected


def test_login_transliteration():
    assert cell_values.login_base("Щукина-Юдина", "Ёлка", "Яковлевна") == "shchukina-yudina.ey"
    assert cell_values.login_base("Smith", "John", "") == "smith.j"


# --- bad rows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, message",
    [
        ({"last_name": ""}, "Не указана фамилия"),
        ({"first_name": ""}, "Не указано имя"),
        ({"last_name": "Сок0лов"}, "недопустимые символы"),
        ({"date_of_birth": ""}, "Не указана дата рождения"),
        ({"date_of_birth": "31.02.2013"}, "Неверная дата рождения «31.02.2013»"),
        ({"date_of_birth": "12.04.13"}, "Неверная дата рождения"),
        ({"date_of_birth": "12.04.1913"}, "не похожа на дату рождения"),
        ({"sex": "x"}, "Неверно указан пол «x»"),
        ({"class_name": ""}, "Не указан класс"),
        ({"class_name": "7Д"}, "Класса 7 «Д» нет в учебном году 2026/2027"),
        ({"class_name": "седьмой"}, "Не удалось понять класс"),
        ({"date_from": "01.08.2026"}, "вне учебного года"),
        ({"date_from": "завтра"}, "Неверная дата зачисления"),
        ({"username": "teacher"}, "Логин «teacher» уже занят"),
        ({"username": "TEACHER"}, "уже занят"),
        ({"username": "соколов"}, "только латинские буквы"),
        ({"parent1_name": ""}, "Родитель 1: не указаны ФИО"),
        ({"parent1_name": "Соколова"}, "Родитель 1: укажите фамилию и имя"),
        ({"parent1_kind": ""}, "Родитель 1: не указано, кем приходится"),
        ({"parent1_kind": "сосед"}, "Родитель 1: неизвестно, кто это — «сосед»"),
        ({"parent1_phone": "12"}, "Родитель 1: неверный номер телефона «12»"),
        ({"parent1_email": "sokolova@"}, "Родитель 1: неверный e-mail «sokolova@»"),
        (
            {"parent2_name": "Соколова Ирина Павловна", "parent2_kind": "мать", "parent2_phone": "+79123456789"},
            "один и тот же человек",
        ),
    ],
)
def test_each_bad_row_is_reported_and_nothing_is_written(cast, values, message):
    users = User.objects.count()
    job = upload(
        cast, [pupil_row(last_name="Белов", first_name="Олег", date_of_birth="01.01.2013"), pupil_row(**values)]
    )
    problems = messages_of(job)
    assert any(message in problem for problem in problems), problems
    assert {error["line"] for error in job.errors} == {3}
    assert User.objects.count() == users
    with pytest.raises(ValidationError, match="В файле есть ошибки"):
        import_apply(actor=cast.admin, job=job)
    assert User.objects.count() == users
    assert ImportJob.objects.get(pk=job.pk).applied_at is None


def test_duplicate_rows_and_pupils_already_at_school(cast):
    job = upload(
        cast,
        [
            pupil_row(),
            pupil_row(last_name="СОКОЛОВ", first_name="артём"),  # same person, other case
            pupil_row(last_name="Pupil", first_name="Иван", middle_name="", date_of_birth="01.03.2013"),  # the cast's
            pupil_row(last_name="Белов", username="belov"),
            pupil_row(last_name="Белкин", username="Belov"),
        ],
    )
    by_line = {}
    for error in job.errors:
        by_line.setdefault(error["line"], []).append(error["message"])
    assert set(by_line) == {3, 4, 6}
    assert "повторяет строку 2" in by_line[3][0]
    assert "уже есть в школе (логин pupil)" in by_line[4][0]
    assert "уже указан в строке 5" in by_line[6][0]


def test_staff_rows(cast):
    job = upload(
        cast,
        [
            staff_row(),
            staff_row(last_name="Зайцев", first_name="Олег", role="завхоз"),
            staff_row(last_name="Teacher", first_name="Анна", middle_name="Петровна"),  # the cast's teacher
            staff_row(last_name="Гусева", email="gusev@"),
            staff_row(last_name="Орлова"),  # repeats line 2
            staff_row(last_name="Котова", role=""),
        ],
        kind=ImportKind.STAFF,
    )
    by_line = {}
    for error in job.errors:
        by_line.setdefault(error["line"], []).append(error["message"])
    assert set(by_line) == {3, 4, 5, 6, 7}
    assert "Неизвестная должность «завхоз»" in by_line[3][0]
    assert "уже есть в школе (логин teacher)" in by_line[4][0]
    assert "неверный e-mail" in by_line[5][0]
    assert "повторяет строку 2" in by_line[6][0]
    assert "Не указана должность" in by_line[7][0]


def test_a_year_is_needed_for_pupils(cast):
    with pytest.raises(ValidationError, match="ещё не создан учебный год"):
        import_upload(
            actor=cast.foreign_admin,
            school=cast.foreign_admin.school,
            kind=ImportKind.PUPILS,
            file_name="list.csv",
            content=to_csv([pupil_row()]),
        )


# --- applying ---------------------------------------------------------------------------------


def test_clean_file_creates_pupils_parents_links_enrolments_and_permissions(cast):
    cast.parent_user.phone = "+7 (900) 555-44-33"
    cast.parent_user.save()
    users = User.objects.count()
    job = upload(
        cast,
        [
            pupil_row(
                parent2_name="Соколов Илья Петрович",
                parent2_kind="отец",
                parent2_phone="",
                parent2_email="i@example.ru",
            ),
            # a sibling in 8 «Б»: the same parents, written slightly differently
            pupil_row(
                last_name="Соколова",
                first_name="Вера",
                middle_name="Ильинична",
                sex="Ж",
                date_of_birth="2012-01-30",
                class_name="8 «Б»",
                date_from="01.09.2026",
                parent1_name="соколова ирина павловна",
                parent1_phone="+79123456789",
                parent1_email="",
                parent2_name="Соколов Илья Петрович",
                parent2_kind="отец",
                parent2_email="I@example.ru",
            ),
            # a new pupil whose mother is the cast's parent (same ФИО and phone)
            pupil_row(
                last_name="Родитель",
                first_name="Пётр",
                middle_name="",
                parent1_name="Родитель Ольга",
                parent1_phone="89005554433",
                parent1_email="",
            ),
        ],
    )
    assert job.errors == []
    assert User.objects.count() == users  # the preview writes no user
    assert [row["preview"]["username"] for row in job.rows] == ["sokolov.ai", "sokolova.vi", "roditel.p"]
    assert job.rows[1]["preview"]["parents"][0]["same_as"] == "2"
    assert job.rows[2]["preview"]["parents"][0]["existing"] is True

    import_apply(actor=cast.admin, job=job)

    assert User.objects.count() == users + 5  # three pupils, two new parents
    artyom = PupilProfile.objects.get(user__username="sokolov.ai")
    vera = PupilProfile.objects.get(user__username="sokolova.vi")
    peter = PupilProfile.objects.get(user__username="roditel.p")
    assert (vera.date_of_birth, vera.sex, artyom.sex) == (dt.date(2012, 1, 30), "f", "m")
    assert not artyom.user.has_usable_password()
    mother = ParentProfile.objects.get(user__last_name="Соколова")
    father = ParentProfile.objects.get(user__last_name="Соколов", user__role=Role.PARENT)
    assert mother.user.phone == "+7 912 345-67-89" and mother.user.email == "sokolova@example.ru"
    assert mother.info_form == InfoForm.ELECTRONIC and mother.info_form_chosen_on is None
    assert set(mother.children.all()) == {artyom, vera}
    assert set(father.children.all()) == {artyom, vera}
    assert ParentChild.objects.get(parent=father, pupil=vera).kind == ParentKind.FATHER
    assert set(cast.parent.children.all()) == {cast.pupil, peter}
    # object permissions, granted by the services: a parent sees each child, a pupil themself
    assert "view_pupil_diary" in get_perms(mother.user, vera)
    assert "view_pupil_diary" in get_perms(cast.parent_user, peter)
    assert "view_pupil_diary" in get_perms(artyom.user, artyom)
    assert "view_pupil_diary" not in get_perms(mother.user, peter)
    enrolments = {e.pupil_id: e for e in Enrollment.objects.filter(pupil__in=[artyom, vera, peter])}
    assert enrolments[artyom.pk].school_class == cast.class_a
    assert enrolments[vera.pk].school_class == cast.class_b
    assert enrolments[vera.pk].date_from == dt.date(2026, 9, 1)
    job.refresh_from_db()
    assert job.applied_at is not None
    assert job.rows[0]["result"]["parents_created"] == [mother.user_id, father.user_id]
    assert job.rows[2]["result"]["parents_linked"] == [cast.parent_user.pk]


def test_enrolment_date_defaults_to_today_within_the_year(cast):
    import time_machine

    cases = [
        ("Новиков", dt.date(2026, 11, 20), dt.date(2026, 11, 20)),
        ("Орехов", dt.date(2026, 8, 25), dt.date(2026, 9, 1)),
    ]
    for last_name, today, expected in cases:
        with time_machine.travel(dt.datetime.combine(today, dt.time(12)), tick=False):
            job = upload(cast, [pupil_row(last_name=last_name)])
            import_apply(actor=cast.admin, job=job)
        pupil = PupilProfile.objects.get(user_id=job.rows[0]["result"]["user_id"])
        assert pupil.enrollments.get().date_from == expected


def test_generated_logins_are_unique_in_the_database_and_the_file(cast):
    User.objects.create(username="sokolov.ai", role=Role.PUPIL, school=cast.school)
    job = upload(
        cast,
        [
            pupil_row(),
            pupil_row(date_of_birth="01.01.2014", **NO_PARENT),
            pupil_row(date_of_birth="02.02.2014", username="sokolov.ai3", **NO_PARENT),
        ],
    )
    assert job.errors == []
    assert [row["preview"]["username"] for row in job.rows] == ["sokolov.ai2", "sokolov.ai4", "sokolov.ai3"]


def test_applying_twice_is_refused(cast):
    job = upload(cast, [pupil_row()])
    import_apply(actor=cast.admin, job=job)
    users = User.objects.count()
    with pytest.raises(ValidationError, match="уже загружен"):
        import_apply(actor=cast.admin, job=job)
    stale = ImportJob.objects.get(pk=job.pk)
    stale.applied_at = None  # a second request still holding the old object
    with pytest.raises(ValidationError, match="уже загружен"):
        import_apply(actor=cast.admin, job=stale)
    assert User.objects.count() == users


def test_a_change_since_the_preview_rolls_back_the_whole_file(cast):
    job = upload(cast, [pupil_row(last_name="Белов"), pupil_row(), pupil_row(last_name="Чернов")])
    assert job.errors == []
    # someone enrolled Соколов by hand meanwhile
    from accounts.services import pupil_create

    pupil_create(
        actor=cast.admin,
        school=cast.school,
        username="sokolov.manual",
        last_name="Соколов",
        first_name="Артём",
        middle_name="Ильич",
        date_of_birth=dt.date(2013, 4, 12),
    )
    users = User.objects.count()
    with pytest.raises(ValidationError) as error:
        import_apply(actor=cast.admin, job=job)
    assert "строка 3" in error.value.messages[0] and "уже есть в школе" in error.value.messages[0]
    assert User.objects.count() == users
    assert ImportJob.objects.get(pk=job.pk).applied_at is None


def test_a_failure_while_writing_rolls_back_everything(cast, monkeypatch):
    from journal.services.imports import apply as import_services

    job = upload(cast, [pupil_row(last_name="Белов"), pupil_row()])
    real = import_services.check_rows

    def checked_then_raced(**kwargs):
        checks = real(**kwargs)
        # another request takes row 3's login after the check and before the insert
        User.objects.create(username="sokolov.ai", role=Role.PUPIL, school=cast.school)
        return checks

    monkeypatch.setattr(import_services, "check_rows", checked_then_raced)
    users, links, enrolments = User.objects.count(), ParentChild.objects.count(), Enrollment.objects.count()
    with pytest.raises(ValidationError, match="пока он записывался, данные школы изменились"):
        import_apply(actor=cast.admin, job=job)
    # Only the other request's user is there (it is not the import's to roll back); nothing of the file.
    assert (User.objects.count(), ParentChild.objects.count(), Enrollment.objects.count()) == (
        users + 1,
        links,
        enrolments,
    )
    assert not User.objects.filter(last_name="Белов").exists()
    assert ImportJob.objects.get(pk=job.pk).applied_at is None


def test_staff_import_applies(cast):
    job = upload(
        cast,
        [
            staff_row(),
            staff_row(last_name="Зайцева", first_name="Ольга", role="Заместитель директора по УВР", email=""),
            staff_row(last_name="Лисин", first_name="Максим", role="директор", username="lisin"),
        ],
        kind=ImportKind.STAFF,
    )
    assert job.errors == []
    import_apply(actor=cast.admin, job=job)
    roles = dict(User.objects.filter(last_name__in=["Орлова", "Зайцева", "Лисин"]).values_list("username", "role"))
    assert roles == {"orlova.ns": Role.TEACHER, "zaytseva.os": Role.DEPUTY, "lisin": Role.DIRECTOR}
    assert not User.objects.get(username="lisin").has_usable_password()


def test_only_the_school_admin_imports(cast):
    content = to_csv([pupil_row()])
    for actor in (cast.deputy, cast.director, cast.classteacher):
        with pytest.raises(PermissionDenied):
            import_upload(actor=actor, school=cast.school, kind=ImportKind.PUPILS, file_name="l.csv", content=content)
    job = upload(cast, [pupil_row()])
    users = User.objects.count()
    for actor in (cast.deputy, cast.foreign_admin):
        with pytest.raises(PermissionDenied):
            import_apply(actor=actor, job=job)
    assert User.objects.count() == users
