"""«Предварительный отчёт»: forecasts against a class counted by hand, the three sections, exemptions, movement,
the scope of each role, the three formats, bad input, and the pinned query count."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from accounts import services as account_services
from accounts.tests.factories import TEST_PASSWORD
from journal import services
from journal.models import Enrollment, Lesson, Mark, StudyPeriod, SubjectExemption, WorkType
from reports.access import report_scope
from reports.forms.preliminary import PreliminaryForm
from reports.selectors.preliminary import preliminary

D = dt.date
URL = "/reports/preliminary/"


@pytest.fixture(autouse=True)
def on_2_december():
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def make_pupil(cast, last_name, school_class, date_from=None, date_to=None):
    profile = account_services.pupil_create(
        actor=cast.admin,
        school=cast.school,
        username=f"p{abs(hash((last_name, school_class.pk))) % 10**9}",
        last_name=last_name,
        first_name="Иван",
        password=TEST_PASSWORD,
    )
    Enrollment.objects.create(
        pupil=profile, school_class=school_class, date_from=date_from or cast.year.start_date, date_to=date_to
    )
    return profile


def mark(cast, assignment, pupil, value, day, work_type=None):
    lesson, _created = Lesson.objects.get_or_create(assignment=assignment, date=day, number=1)
    position = Mark.objects.filter(lesson=lesson, pupil=pupil).count() + 1
    return Mark.objects.create(
        lesson=lesson, pupil=pupil, value=value, work_type=work_type, position=position, updated_by=cast.admin
    )


def q(cast, number):
    return StudyPeriod.objects.get(year=cast.year, kind="quarter", number=number)


@pytest.fixture
def built(cast):
    """7 «А» in the 2nd quarter (02.11–26.12), forecast on 02.12. Math: 5 h/week (minimum 4), Russian 2 h
    (minimum 3), ФК pass/fail 2 h (minimum 3). A control work weighs 2.

      pupil        math                   russian           ФК
      Алексеев     5 5 4 5 → 4,75 «5»     3 → 1 of 3 (мало)  зч зч зч → зч
                   (a «2» of 05.10, the 1st quarter: not counted)
      Борисов      2 3 2(к/р) → 2,25 «2»  4 4 5 → 4,33 «4»   нз нз зч → нз
                   3 of 4: мало and «2»
      Васильев     4 4 3 4 → 3,75 «4»     5 5 5 → «5»        exempt for the year: осв.
      Дмитриев     arrived 25.11: 4 → мало  — (none): мало     — : мало
      Pupil        exempt from math for Q2  4 3 3 → 3,33 «3» зч зч зч → зч
      Григорьев    left 20.11 with math «2» «2»: not on the list on 02.12
    """
    admin, class_a = cast.admin, cast.class_a
    control = WorkType.objects.create(school=cast.school, name="к/р", short_name="к/р", weight=Decimal(2))
    russian = services.subject_create(actor=admin, school=cast.school, name="Родной язык", order=110)
    pe = services.subject_create(
        actor=admin, school=cast.school, name="Физическая культура", short_name="ФК", order=120
    )
    services.curriculum_set(actor=admin, school_class=class_a, subject=pe, hours_per_week=Decimal(2), is_pass_fail=True)
    rus = services.assignment_create(
        actor=admin, school_class=class_a, subject=russian, teacher=cast.other_teacher, hours_per_week=Decimal(2)
    )
    pe_a = services.assignment_create(
        actor=admin, school_class=class_a, subject=pe, teacher=cast.classteacher, hours_per_week=Decimal(2)
    )
    p = {name: make_pupil(cast, name, class_a) for name in ("Алексеев", "Борисов", "Васильев")}
    p["Дмитриев"] = make_pupil(cast, "Дмитриев", class_a, date_from=D(2026, 11, 25))
    p["Григорьев"] = make_pupil(cast, "Григорьев", class_a, date_to=D(2026, 11, 20))
    p["Pupil"] = cast.pupil
    math = cast.math_a
    days = [D(2026, 11, 5), D(2026, 11, 10), D(2026, 11, 20), D(2026, 11, 26)]
    for value, day in zip("5545", days, strict=True):
        mark(cast, math, p["Алексеев"], value, day)
    mark(cast, math, p["Алексеев"], "2", D(2026, 10, 5))
    mark(cast, rus, p["Алексеев"], "3", days[0])
    mark(cast, math, p["Борисов"], "2", days[0])
    mark(cast, math, p["Борисов"], "3", days[1])
    mark(cast, math, p["Борисов"], "2", days[2], control)
    for value, day in zip("445", days, strict=False):
        mark(cast, rus, p["Борисов"], value, day)
    for value, day in zip(["нз", "нз", "зч"], days, strict=False):
        mark(cast, pe_a, p["Борисов"], value, day)
    for value, day in zip("4434", days, strict=True):
        mark(cast, math, p["Васильев"], value, day)
    for day in days[:3]:
        mark(cast, rus, p["Васильев"], "5", day)
        mark(cast, pe_a, p["Алексеев"], "зч", day)
        mark(cast, pe_a, cast.pupil, "зч", day)
    mark(cast, math, p["Дмитриев"], "4", days[3])
    for value, day in zip("433", days, strict=False):
        mark(cast, rus, cast.pupil, value, day)
    mark(cast, math, p["Григорьев"], "2", days[0])
    mark(cast, math, p["Григорьев"], "2", days[1])
    SubjectExemption.objects.create(
        pupil=p["Васильев"], subject=pe, year=cast.year, reason="Справка", created_by=cast.classteacher
    )
    SubjectExemption.objects.create(
        pupil=cast.pupil, subject=math.subject, year=cast.year, period=q(cast, 2), reason="Приказ", created_by=admin
    )
    SubjectExemption.objects.create(  # another period's exemption changes nothing in the 2nd quarter
        pupil=p["Алексеев"], subject=math.subject, year=cast.year, period=q(cast, 1), reason="x", created_by=admin
    )
    return {"pupils": p, "rus": rus, "pe": pe_a, "control": control}


def figures(user, **params):
    scope = report_scope(user)
    form = PreliminaryForm(params, scope=scope)
    assert form.is_valid(), form.errors
    return preliminary(scope, form.cleaned_data)


def table(result, class_name="7 «А»"):
    """{pupil's last name: {subject short name: (value, count, average)}} of a class."""
    forecast_class = next(c for c in result.classes if c.name == class_name)
    names = {s.pk: s.short_name for s in forecast_class.subjects}
    return {
        p.name.split()[0]: {names[k]: (c.value, c.count, c.average) for k, c in p.cells.items()}
        for p in forecast_class.pupils
    }


def test_forecasts_counted_by_hand(cast, built):
    result = figures(cast.classteacher)
    assert [c.name for c in result.classes] == ["7 «А»"]
    forecast_class = result.classes[0]
    assert forecast_class.period == q(cast, 2) and forecast_class.on_date == D(2026, 12, 2)
    assert [s.short_name for s in forecast_class.subjects] == ["Математика", "Родной язык", "ФК"]
    assert table(result) == {
        "Алексеев": {
            "Математика": ("5", 4, Decimal("4.75")),
            "Родной язык": ("3", 1, Decimal("3.00")),
            "ФК": ("зч", 3, None),
        },
        "Борисов": {
            "Математика": ("2", 3, Decimal("2.25")),
            "Родной язык": ("4", 3, Decimal("4.33")),
            "ФК": ("нз", 3, None),
        },
        "Васильев": {
            "Математика": ("4", 4, Decimal("3.75")),
            "Родной язык": ("5", 3, Decimal("5.00")),
            "ФК": ("осв.", 0, None),
        },
        "Дмитриев": {"Математика": ("4", 1, Decimal("4.00")), "Родной язык": ("", 0, None), "ФК": ("", 0, None)},
        "Pupil": {
            "Математика": ("осв.", 0, None),
            "Родной язык": ("3", 3, Decimal("3.33")),
            "ФК": ("зч", 3, None),
        },
    }
    too_few = sorted((p.name.split()[0], c.subject, c.count, c.minimum) for _c, p, c in result.too_few)
    assert too_few == [
        ("Алексеев", "Родной язык", 1, 3),
        ("Борисов", "Математика", 3, 4),
        ("Дмитриев", "Математика", 1, 4),
        ("Дмитриев", "Родной язык", 0, 3),
        ("Дмитриев", "Физическая культура", 0, 3),
    ]
    failing = sorted((p.name.split()[0], c.subject, c.value) for _c, p, c in result.failing)
    assert failing == [("Борисов", "Математика", "2"), ("Борисов", "Физическая культура", "нз")]


def test_the_date_cuts_the_marks_and_the_list(cast, built):
    """On 15.11 Алексеев has two math marks (5, 5), Дмитриев has not arrived and Григорьев is still there."""
    rows = table(figures(cast.admin, school_class=cast.class_a.pk, on_date="2026-11-15"))
    assert rows["Алексеев"]["Математика"] == ("5", 2, Decimal("5.00"))
    assert "Дмитриев" not in rows
    assert rows["Григорьев"]["Математика"] == ("2", 2, Decimal("2.00"))
    # a date outside the chosen period is clamped into it; the 1st quarter's exemption holds there only
    result = figures(cast.admin, school_class=cast.class_a.pk, period=q(cast, 1).pk, on_date="2026-12-01")
    assert result.classes[0].on_date == D(2026, 10, 23)
    assert table(result)["Алексеев"]["Математика"] == ("осв.", 0, None)
    SubjectExemption.objects.filter(period=q(cast, 1)).delete()
    result = figures(cast.admin, school_class=cast.class_a.pk, period=q(cast, 1).pk, on_date="2026-12-01")
    assert table(result)["Алексеев"]["Математика"] == ("2", 1, Decimal("2.00"))


def test_a_subject_teacher_sees_their_own_subjects(cast, built):
    result = figures(cast.other_teacher)  # Russian here and physics in 8 «Б»: 7 «А» comes first
    assert [c.name for c in result.classes] == ["7 «А»"]
    assert [s.short_name for s in result.classes[0].subjects] == ["Родной язык"]
    result = figures(cast.teacher)
    assert [s.short_name for s in result.classes[0].subjects] == ["Математика"]


def test_management_sees_the_school_or_a_grade(cast, built):
    other = make_pupil(cast, "Ёлкин", cast.class_b)
    mark(cast, cast.physics_b, other, "2", D(2026, 11, 5))
    result = figures(cast.deputy)
    assert [c.name for c in result.classes] == ["7 «А»", "8 «Б»"]
    assert table(result, "8 «Б»")["Ёлкин"]["Физика"] == ("2", 1, Decimal("2.00"))
    assert [c.name for c in figures(cast.deputy, grade=8).classes] == ["8 «Б»"]


def test_page_and_files(client, cast, built):
    client.force_login(cast.classteacher)
    response = client.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    for words in ("Прогноз отметок за период", "Недостаточно отметок для аттестации", "Идут на «2»", "осв.", "4,75"):
        assert words in text
    response = client.get(URL, {"format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    values = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "осв." in values and "нз" in values
    response = client.get(URL, {"format": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "params, words",
    [
        ({"period": "year"}, "Выберите"),
        ({"period": "abc"}, "Выберите"),
        ({"period": "99999999999999999999999"}, "Выберите"),
        ({"school_class": "x"}, "Выберите"),
        ({"on_date": "31.02.2026"}, "Такой даты нет"),
        ({"grade": "13"}, "Выберите"),
    ],
)
def test_bad_input_is_a_russian_error(client, cast, built, params, words):
    client.force_login(cast.admin)
    for fmt in ("", "xlsx"):
        response = client.get(URL, {**params, "format": fmt} if fmt else params)
        if fmt:  # a download with wrong filters goes back to the page, which says what is wrong
            assert response.status_code == 302
            continue
        assert response.status_code == 400
        assert words in response.content.decode()


def test_another_class_or_school_is_not_offered(client, cast, built):
    client.force_login(cast.teacher)
    assert client.get(URL, {"school_class": cast.class_b.pk}).status_code == 400
    client.force_login(cast.foreign_admin)
    assert client.get(URL, {"school_class": cast.class_a.pk}).status_code == 400
    assert "7 «А»" not in client.get(URL).content.decode()
    for role in (cast.pupil_user, cast.parent_user):
        client.force_login(role)
        assert client.get(URL).status_code == 404


def test_query_count_is_fixed(cast, built, django_assert_num_queries):
    scope = report_scope(cast.admin)
    form = PreliminaryForm({}, scope=scope)
    assert form.is_valid()
    with django_assert_num_queries(8):
        before = preliminary(scope, form.cleaned_data)
    # more pupils, lessons and marks, and a second class with its own pupils
    for number in range(4):
        pupil = make_pupil(cast, f"Новый{number}", cast.class_a if number % 2 else cast.class_b)
        for day in (D(2026, 11, 9), D(2026, 11, 16), D(2026, 11, 23)):
            mark(cast, cast.math_a if number % 2 else cast.russian_b, pupil, "4", day)
            mark(cast, built["rus"] if number % 2 else cast.physics_b, pupil, "5", day, built["control"])
    with django_assert_num_queries(8):
        after = preliminary(scope, form.cleaned_data)
    assert sum(len(c.pupils) for c in after.classes) == sum(len(c.pupils) for c in before.classes) + 4
