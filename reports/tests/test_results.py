"""«Итоги успеваемости»: the engine's figures against a class counted by hand, the class and school reports on screen,
in XLSX and PDF, access per role, the background export and pinned query counts."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts import services as account_services
from accounts.tests.factories import TEST_PASSWORD
from journal import services
from journal.models import (
    Enrollment,
    GradeSettings,
    Lesson,
    Mark,
    PeriodMark,
    PeriodMarkKind,
    StudyPeriod,
    Subject,
    SubjectExemption,
    WorkType,
)
from reports.choices import JobStatus, QualityBasis
from reports.models import ReportJob, ReportSettings
from reports.selectors import results as engine
from reports.selectors.results import (
    EXCELLENT,
    FAILING_PUPILS,
    GOOD,
    ONE_THREE,
    ONE_TWO,
    UNATTESTED,
    class_results,
    resolve_period,
    results_for_classes,
)

Q1_START, Q1_END = dt.date(2026, 9, 1), dt.date(2026, 10, 23)


def make_pupil(cast, last_name: str, school_class, date_from=None, date_to=None):
    profile = account_services.pupil_create(
        actor=cast.admin,
        school=cast.school,
        username=f"u{abs(hash((last_name, school_class.pk))) % 10**9}",
        last_name=last_name,
        first_name="Иван",
        password=TEST_PASSWORD,
    )
    if date_to is None:
        services.enrollment_create(
            actor=cast.admin, pupil=profile, school_class=school_class, date_from=date_from or cast.year.start_date
        )
    else:  # a pupil who left: the enrolment with its last day
        Enrollment.objects.create(
            pupil=profile, school_class=school_class, date_from=date_from or cast.year.start_date, date_to=date_to
        )
    return profile


def period_mark(cast, assignment, pupil, value, period, kind=PeriodMarkKind.PERIOD):
    return PeriodMark.objects.create(
        assignment=assignment, pupil=pupil, kind=kind, period=period, value=value, updated_by=cast.admin
    )


_lesson_numbers: dict = {}


def current_mark(cast, assignment, pupil, value, day, work_type=None):
    lesson, _created = Lesson.objects.get_or_create(assignment=assignment, date=day, number=1)
    position = Mark.objects.filter(lesson=lesson, pupil=pupil).count() + 1
    return Mark.objects.create(
        lesson=lesson, pupil=pupil, value=value, work_type=work_type, position=position, updated_by=cast.admin
    )


def build_class(cast):
    """7 «А» in the 1st quarter, every mark chosen so the figures can be counted by hand (see the tests).

    Subjects: Математика (the cast's math_a, teacher), Русский язык (other_teacher), Физкультура (зачёт/незачёт),
    Английский язык in two subgroups (two teachers): one subject of the class.
    Pupils on 23.10 (the quarter's last day), with math / russian / PE / english:
      Pupil (cast)  4 4 зч —  (in no English subgroup: English is not due)   ударник
      Алексеев      5 5 зч 5 (гр. 1)                                          отличник
      Борисов       4 5 зч 4 (гр. 2)                                          ударник
      Васильев      3 4 зч 5 (гр. 1)                                          с одной «3»
      Григорьев     1 3 зч 3 (гр. 2)                                          неуспевающий, с одной «2»
      Дмитриев      4 — зч 4 (гр. 1)   no russian mark                         не аттестован
      Егоров        5 4 осв 4 (гр. 2)  exempt from PE for the year            ударник
      Жуков         4 4 нз 5 (гр. 1)                                          неуспевающий, с одной «2»
      Иванов        5 5 зч 4 (гр. 2)   arrived 12.10                          ударник
    Зайцев left on 10.10 with a math «2»: not counted.
    """
    admin, class_a = cast.admin, cast.class_a
    q1 = StudyPeriod.objects.get(year=cast.year, kind="quarter", number=1)
    q2 = StudyPeriod.objects.get(year=cast.year, kind="quarter", number=2)
    russian = Subject.objects.get(school=cast.school, name="Русский язык")
    pe = services.subject_create(actor=admin, school=cast.school, name="Физкультура")
    english = services.subject_create(actor=admin, school=cast.school, name="Английский язык")
    services.curriculum_set(actor=admin, school_class=class_a, subject=pe, hours_per_week=Decimal(2), is_pass_fail=True)
    names = ["Алексеев", "Борисов", "Васильев", "Григорьев", "Дмитриев", "Егоров", "Жуков"]
    p = {name: make_pupil(cast, name, class_a) for name in names}
    p["Иванов"] = make_pupil(cast, "Иванов", class_a, date_from=dt.date(2026, 10, 12))
    p["Зайцев"] = make_pupil(cast, "Зайцев", class_a, date_to=dt.date(2026, 10, 10))
    p["Pupil"] = cast.pupil
    group1 = services.subgroup_create(
        actor=admin,
        school_class=class_a,
        name="1 группа",
        pupils=[p[n] for n in ("Алексеев", "Васильев", "Дмитриев", "Жуков")],
    )
    group2 = services.subgroup_create(
        actor=admin,
        school_class=class_a,
        name="2 группа",
        pupils=[p[n] for n in ("Борисов", "Григорьев", "Егоров", "Иванов")],
    )
    math = cast.math_a
    rus = services.assignment_create(
        actor=admin, school_class=class_a, subject=russian, teacher=cast.other_teacher, hours_per_week=Decimal(4)
    )
    pe_a = services.assignment_create(
        actor=admin, school_class=class_a, subject=pe, teacher=cast.director, hours_per_week=Decimal(2)
    )
    eng1 = services.assignment_create(
        actor=admin,
        school_class=class_a,
        subject=english,
        teacher=cast.director,
        hours_per_week=Decimal(3),
        subgroup=group1,
    )
    eng2 = services.assignment_create(
        actor=admin,
        school_class=class_a,
        subject=english,
        teacher=cast.deputy,
        hours_per_week=Decimal(3),
        subgroup=group2,
    )
    table = {
        "Pupil": ("4", "4", "зч", None),
        "Алексеев": ("5", "5", "зч", "5"),
        "Борисов": ("4", "5", "зч", "4"),
        "Васильев": ("3", "4", "зч", "5"),
        "Григорьев": ("1", "3", "зч", "3"),
        "Дмитриев": ("4", None, "зч", "4"),
        "Егоров": ("5", "4", None, "4"),
        "Жуков": ("4", "4", "нз", "5"),
        "Иванов": ("5", "5", "зч", "4"),
        "Зайцев": ("2", None, None, None),
    }
    group_of = {pupil.pk: eng1 for pupil in group1.pupils.all()} | {pupil.pk: eng2 for pupil in group2.pupils.all()}
    for name, (m, r, f, e) in table.items():
        pupil = p[name]
        for assignment, value in ((math, m), (rus, r), (pe_a, f), (group_of.get(pupil.pk), e)):
            if value is not None:
                period_mark(cast, assignment, pupil, value, q1)
    # Дмитриев's russian mark only proposed, never set: he is not attested.
    PeriodMark.objects.create(
        assignment=rus, pupil=p["Дмитриев"], kind="period", period=q1, proposed_value="3", updated_by=admin
    )
    SubjectExemption.objects.create(pupil=p["Егоров"], subject=pe, year=cast.year, reason="справка", created_by=admin)
    # An exemption for another quarter changes nothing in the 1st.
    SubjectExemption.objects.create(
        pupil=cast.pupil, subject=russian, year=cast.year, period=q2, reason="справка", created_by=admin
    )
    # Current marks of math: Алексеев 5 (weight 1) and 3 (weight 2): (5 + 6) / 3 = 3.67; Борисов 4 and 4: 4.00;
    # Григорьев 2 and 3 without a kind of work (weight 1): 2.50. Зайцев's and the 2nd quarter's marks do not count.
    oral = WorkType.objects.create(school=cast.school, name="Тест устный", short_name="у", weight=Decimal(1))
    test = WorkType.objects.create(school=cast.school, name="Тест контрольная", short_name="к", weight=Decimal(2))
    day1, day2 = dt.date(2026, 9, 10), dt.date(2026, 10, 1)
    current_mark(cast, math, p["Алексеев"], "5", day1, oral)
    current_mark(cast, math, p["Алексеев"], "3", day2, test)
    current_mark(cast, math, p["Борисов"], "4", day1, oral)
    current_mark(cast, math, p["Борисов"], "4", day2, test)
    current_mark(cast, math, p["Григорьев"], "2", day1)
    current_mark(cast, math, p["Григорьев"], "3", day2)
    current_mark(cast, math, p["Зайцев"], "2", day1)
    current_mark(cast, math, p["Борисов"], "5", dt.date(2026, 11, 5), oral)
    current_mark(cast, pe_a, p["Алексеев"], "зч", day1)
    # Russian: Васильев 5 and 5 (5.00) but a «4» for the quarter.
    current_mark(cast, rus, p["Васильев"], "5", day1, oral)
    current_mark(cast, rus, p["Васильев"], "5", day2, oral)
    return {
        "year": cast.year,
        "q1": q1,
        "q2": q2,
        "pupils": p,
        "math": math,
        "rus": rus,
        "pe": pe_a,
        "eng1": eng1,
        "eng2": eng2,
    }


def settings_for(cast, **values):
    return ReportSettings(school=cast.school, **values)


@pytest.fixture
def built(cast):
    return build_class(cast)


def test_class_figures_counted_by_hand(cast, built):
    results = class_results(cast.class_a, str(built["q1"].pk), settings_for(cast))
    totals = results.totals
    # On the list on 23.10: Pupil + 7 + Иванов (arrived) = 9; Зайцев (left) is out.
    assert totals.n == 9
    assert results.names(EXCELLENT) == ["Алексеев Иван"]
    assert sorted(results.names(GOOD)) == sorted(["Pupil Иван", "Борисов Иван", "Егоров Иван", "Иванов Иван"])
    assert results.names(ONE_THREE) == ["Васильев Иван"]
    assert results.names(ONE_TWO) == ["Григорьев Иван", "Жуков Иван"]
    assert results.names(FAILING_PUPILS) == ["Григорьев Иван", "Жуков Иван"]
    assert results.names(UNATTESTED) == ["Дмитриев Иван"]
    assert (totals.excellent, totals.good, totals.one_three, totals.one_two, totals.failing, totals.unattested) == (
        1,
        4,
        1,
        2,
        2,
        1,
    )
    # Успевающие: 9 − Григорьев − Жуков − Дмитриев = 6; 6 × 100 / 9 = 66.7.
    assert totals.succeeding == 6
    assert totals.success_pct == Decimal("66.7")
    # Качество по учащимся: (1 + 4) × 100 / 9 = 55.6.
    assert totals.quality_pct_pupils == Decimal("55.6")
    assert totals.quality_pct == Decimal("55.6")
    # The class's graded marks (PE out): math 5×3 4×4 3×1 1×1; russian 5×3 4×4 3×1; english 5×3 4×4 3×1:
    # «5» 9, «4» 12, «3» 3, «1» 1 = 25 marks. Качество по отметкам: 21 × 100 / 25 = 84.0.
    assert dict(totals.tally.counts) == {"5": 9, "4": 12, "3": 3, "1": 1}
    assert totals.quality_pct_marks == Decimal("84.0")
    # СОУ = (9·100 + 12·64 + 3·36 + 1·7) / 25 = 1783 / 25 = 71.32.
    assert totals.sou == Decimal("71.32")
    # Средний балл = (45 + 48 + 9 + 1) / 25 = 4.12.
    assert totals.mean == Decimal("4.12")
    # Средневзвешенный текущих: math Алексеев 11/3, Борисов 12/3, Григорьев 5/2; russian Васильев 10/2:
    # (11 + 12 + 5 + 10) / (3 + 3 + 2 + 2) = 3.80.
    assert totals.weighted_mean == Decimal("3.80")
    risk = {name: (failing, missing) for name, failing, missing in results.at_risk}
    assert risk == {
        "Григорьев Иван": (["Математика"], []),
        "Дмитриев Иван": ([], ["Русский язык"]),
        "Жуков Иван": (["Физкультура"], []),
    }


def test_settings_change_quality_basis_and_sou_weight(cast, built):
    results = class_results(
        cast.class_a, str(built["q1"].pk), settings_for(cast, quality_basis=QualityBasis.MARKS, sou_one_weight=0)
    )
    assert results.totals.quality_pct == Decimal("84.0")
    # СОУ with «1» weighing 0: (900 + 768 + 108 + 0) / 25 = 71.04.
    assert results.totals.sou == Decimal("71.04")


def test_subject_figures_counted_by_hand(cast, built):
    results = class_results(cast.class_a, str(built["q1"].pk), settings_for(cast))
    subjects = {s.name: s for s in results.subjects}
    math = subjects["Математика"].tally
    # N 9; «1» fails: 8 × 100 / 9 = 88.9; quality 7/9 = 77.8; СОУ (300 + 256 + 36 + 7) / 9 = 66.56; mean 35/9 = 3.89.
    assert (math.n, math.success_pct, math.quality_pct, math.sou(7), math.mean) == (
        9,
        Decimal("88.9"),
        Decimal("77.8"),
        Decimal("66.56"),
        Decimal("3.89"),
    )
    assert math.weighted_mean == Decimal("3.50")
    assert subjects["Математика"].failing_names == ["Григорьев Иван"]
    russian = subjects["Русский язык"]
    # Дмитриев unattested: N = 8, 100 %, quality 7/8 = 87.5, СОУ 592/8 = 74.00, mean 34/8 = 4.25.
    assert (russian.tally.n, russian.tally.unattested, russian.unattested_names) == (8, 1, ["Дмитриев Иван"])
    assert (russian.tally.success_pct, russian.tally.quality_pct, russian.tally.sou(7), russian.tally.mean) == (
        Decimal("100.0"),
        Decimal("87.5"),
        Decimal("74.00"),
        Decimal("4.25"),
    )
    pe = subjects["Физкультура"]
    # Егоров exempt: 8 due; 7 зачёт, 1 незачёт: 87.5 %; no quality, СОУ or average for a pass/fail subject.
    assert (pe.pass_fail, pe.exempt, pe.tally.n, pe.tally.success_pct) == (True, 1, 8, Decimal("87.5"))
    assert (pe.tally.quality_pct, pe.tally.sou(7), pe.tally.mean) == (None, None, None)
    english = subjects["Английский язык"]
    # One subject for the two subgroups: 8 pupils (Pupil is in none), «5» 3, «4» 4, «3» 1.
    assert (english.tally.n, dict(english.tally.counts)) == (8, {"5": 3, "4": 4, "3": 1})
    assert english.teachers == ["Director А. П.", "Deputy А. П."]
    # Each subgroup's teacher has their own marks.
    assert dict(results.by_assignment[built["eng1"].pk].counts) == {"5": 3, "4": 1}
    assert dict(results.by_assignment[built["eng2"].pk].counts) == {"4": 3, "3": 1}


def test_year_results_use_year_marks(cast, built):
    pupil = built["pupils"]["Алексеев"]
    period_mark(cast, built["math"], pupil, "4", None, kind=PeriodMarkKind.YEAR)
    results = class_results(cast.class_a, "year", settings_for(cast))
    subjects = {s.name: s for s in results.subjects}
    assert results.period.kind == PeriodMarkKind.YEAR
    assert dict(subjects["Математика"].tally.counts) == {"4": 1}
    # Nobody else has a year mark: everybody due is unattested; Егоров is still exempt from PE for the year.
    assert subjects["Математика"].tally.unattested == 8
    assert subjects["Физкультура"].exempt == 1


def test_period_of_another_scheme_maps_to_the_class_scheme(cast):
    periods = list(StudyPeriod.objects.filter(year=cast.year))
    services.study_periods_set(
        actor=cast.admin,
        year=cast.year,
        kind="half",
        dates=[(dt.date(2026, 9, 1), dt.date(2026, 12, 26)), (dt.date(2027, 1, 12), dt.date(2027, 5, 26))],
    )
    periods = list(StudyPeriod.objects.filter(year=cast.year))
    q1, q2 = (next(p for p in periods if p.kind == "quarter" and p.number == n) for n in (1, 2))
    h1 = next(p for p in periods if p.kind == "half" and p.number == 1)
    # A 10th grade (half-years): the 2nd quarter ends with the 1st half-year; the 1st quarter is none.
    assert resolve_period(str(q2.pk), year=cast.year, grade_kind="half", periods=periods).period == h1
    assert resolve_period(str(q1.pk), year=cast.year, grade_kind="half", periods=periods) is None
    assert resolve_period(str(q1.pk), year=cast.year, grade_kind="quarter", periods=periods).period == q1
    assert resolve_period("year", year=cast.year, grade_kind="half", periods=periods).end == cast.year.end_date
    assert resolve_period("999999", year=cast.year, grade_kind="half", periods=periods) is None


def add_class(cast, letter: str, pupils: int, q1):
    school_class = services.class_create(actor=cast.admin, year=cast.year, grade=7, letter=letter)
    math = Subject.objects.get(school=cast.school, name="Математика")
    assignment = services.assignment_create(
        actor=cast.admin, school_class=school_class, subject=math, teacher=cast.teacher, hours_per_week=Decimal(4)
    )
    for number in range(pupils):
        pupil = make_pupil(cast, f"Новиков{letter}{number}", school_class)
        period_mark(cast, assignment, pupil, "4", q1)
        current_mark(cast, assignment, pupil, "4", dt.date(2026, 9, 10))
    return school_class


def test_engine_query_count_does_not_grow(cast, built, django_assert_num_queries):
    from journal.models import SchoolClass

    q1 = str(built["q1"].pk)
    settings = settings_for(cast)
    classes = list(SchoolClass.objects.filter(year=cast.year).select_related("year"))
    # periods, grade schemes, class lists, assignments, subgroup members, pass/fail, exemptions, period marks,
    # current-mark sums.
    with django_assert_num_queries(9):
        first = results_for_classes(classes, q1, settings)
    add_class(cast, "В", 5, built["q1"])
    add_class(cast, "Г", 7, built["q1"])
    classes = list(SchoolClass.objects.filter(year=cast.year).select_related("year"))
    with django_assert_num_queries(9):
        more = results_for_classes(classes, q1, settings)
    assert len(more) == len(first) + 2
    with django_assert_num_queries(9):
        batch = engine.results_batch(classes, [q1, "year"], settings)
    assert set(batch) == {q1, "year"}


# --- the pages ---------------------------------------------------------------------------------------------------


def login(client, user):
    client.force_login(user)
    return client


def test_results_page_for_the_class_teacher(client, cast, built):
    url = reverse("reports:results")
    response = login(client, cast.classteacher).get(url, {"school_class": cast.class_a.pk, "period": built["q1"].pk})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Отличники" in text and "Алексеев Иван" in text
    assert "66,7 %" in text  # % успеваемости
    assert "55,6 %" in text and "84,0 %" in text  # % качества by pupils and by marks
    assert "Учащиеся группы риска" in text


def test_results_page_for_a_subject_teacher_shows_own_assignments_only(client, cast, built):
    url = reverse("reports:results")
    response = login(client, cast.teacher).get(url, {"school_class": cast.class_a.pk, "period": built["q1"].pk})
    assert response.status_code == 200
    document = response.context["document"]
    titles = [section.title for section in document.sections]
    assert titles == ["Мои предметы"]
    rows = document.sections[0].tables[0].rows
    assert [row[0] for row in rows] == ["Математика"]
    assert rows[0][1] == 9  # N of math
    assert "Дмитриев" not in response.content.decode()  # nobody's russian


def test_results_refuses_a_class_out_of_scope(client, cast, built):
    response = login(client, cast.teacher).get(
        reverse("reports:results"), {"school_class": cast.class_b.pk, "period": built["q1"].pk}
    )
    assert response.status_code == 400
    assert "Выберите корректный вариант" in response.content.decode()


@pytest.mark.parametrize("query", [{"period": "абв"}, {"period": "99999999999999999999"}, {"school_class": "x"}])
def test_results_bad_filter_is_a_russian_error(client, cast, query):
    response = login(client, cast.admin).get(reverse("reports:results"), query)
    assert response.status_code == 400
    assert "Выберите корректный вариант" in response.content.decode()


def test_results_xlsx_has_numbers(client, cast, built):
    response = login(client, cast.admin).get(
        reverse("reports:results"), {"school_class": cast.class_a.pk, "period": built["q1"].pk, "format": "xlsx"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    values = [cell for row in book.active.iter_rows(values_only=True) for cell in row]
    assert 9 in values  # N, a number
    assert any(isinstance(v, float | int) and abs(float(v) - 66.7) < 0.01 for v in values if v is not None)


def test_results_pdf(client, cast, built):
    response = login(client, cast.admin).get(
        reverse("reports:results"), {"school_class": cast.class_a.pk, "period": built["q1"].pk, "format": "pdf"}
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_school_results_page_with_previous_period_and_chart(client, cast, built):
    # The 2nd quarter: Алексеев's math «4», the rest unattested; the 1st quarter beside it.
    period_mark(cast, built["math"], built["pupils"]["Алексеев"], "4", built["q2"])
    response = login(client, cast.deputy).get(reverse("reports:school-results"), {"period": built["q2"].pk})
    assert response.status_code == 200
    document = response.context["document"]
    titles = [section.title for section in document.sections]
    assert titles == ["По классам", "По параллелям", "По предметам", "По учителям", "Динамика за год"]
    chart = document.sections[-1].chart_svg
    assert 'role="img"' in chart and "<title>" in chart and "aria-label" in chart
    trend = {label: success for label, success, _quality in document.sections[-1].tables[0].rows}
    # The school in the 1st quarter: 7 «А» (6 of 9 succeed) and 8 «Б» (its one pupil has no marks): 6/10 = 60.0.
    assert trend["1 четверть"] == Decimal("60.0")
    assert trend["3 четверть"] is None  # no marks yet: a gap, not 0 %
    assert chart.count("<circle") == 4  # two periods with marks × two lines
    teachers = {row[0]: row for row in document.sections[3].tables[0].rows}
    assert teachers["Teacher А. П."][1] == 1  # one math mark in the 2nd quarter
    # Δ beside the 1st quarter: the class 7 «А»: 0 % now (everybody unattested) − 66.7 %.
    classes = {row[0]: row for row in document.sections[0].tables[0].rows}
    assert classes["7 «А»"][-2] == Decimal("-66.7")
    # The weighted mean of the 2nd quarter's current marks: Борисов's one «5» of 05.11 (the year's and the 1st
    # quarter's marks, read in the same query, stay out): 5.00.
    assert classes["7 «А»"][13] == Decimal("5.00")
    assert "<svg" in response.content.decode()


def test_school_results_is_management_only(client, cast):
    for user in (cast.teacher, cast.classteacher):
        assert login(client, user).get(reverse("reports:school-results")).status_code == 404


def test_school_results_pdf_has_the_chart(client, cast, built):
    response = login(client, cast.admin).get(
        reverse("reports:school-results"), {"period": built["q1"].pk, "format": "pdf"}
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_school_results_heavy_export_runs_as_a_job(
    client, cast, built, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(engine, "RESULTS_BACKGROUND_CLASSES", 1)  # two classes: heavy
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, cast.admin).get(
            reverse("reports:school-results"), {"period": built["q1"].pk, "format": "xlsx"}
        )
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.READY, job.error
    book = load_workbook(io.BytesIO(bytes(job.file)))
    assert book.active.max_row > 5
    # Below the threshold the export is made in the request.
    monkeypatch.setattr(engine, "RESULTS_BACKGROUND_CLASSES", 10)
    response = client.get(reverse("reports:school-results"), {"period": built["q1"].pk, "format": "xlsx"})
    assert response.status_code == 200 and ReportJob.objects.count() == 1


def test_school_results_query_count_does_not_grow(client, cast, built, django_assert_num_queries):
    from reports.access import report_scope
    from reports.selectors.results import school_results

    scope = report_scope(cast.admin)
    data = {"year": cast.year, "period": str(built["q2"].pk), "grade": None}
    # settings, classes, periods, grade schemes, then the batch's 7 reads for all periods at once.
    with django_assert_num_queries(11):
        first = school_results(scope, data)
    add_class(cast, "В", 6, built["q1"])
    with django_assert_num_queries(11):
        more = school_results(scope, data)
    assert len(more.current) == len(first.current) + 1


def test_ten_grade_uses_half_years(cast, built):
    services.study_periods_set(
        actor=cast.admin,
        year=cast.year,
        kind="half",
        dates=[(dt.date(2026, 9, 1), dt.date(2026, 12, 26)), (dt.date(2027, 1, 12), dt.date(2027, 5, 26))],
    )
    assert GradeSettings.objects.get(year=cast.year, grade=10).period_kind == "half"
    senior = services.class_create(actor=cast.admin, year=cast.year, grade=10, letter="А")
    assert class_results(senior, str(built["q1"].pk), settings_for(cast)) is None
    result = class_results(senior, str(built["q2"].pk), settings_for(cast))
    assert result.period.period.kind == "half"


def test_class_report_query_count_does_not_grow(cast, built, django_assert_num_queries):
    from reports.access import report_scope
    from reports.selectors.results import results_report

    data = {"year": cast.year, "period": str(built["q1"].pk), "school_class": cast.class_a}
    classteacher, teacher = report_scope(cast.classteacher), report_scope(cast.teacher)
    # settings, «is it their whole class», then the engine's 9; a subject teacher: + their assignments in it.
    with django_assert_num_queries(11):
        assert results_report(classteacher, data).whole
    with django_assert_num_queries(12):
        assert results_report(teacher, data).own == {cast.math_a.pk}
    for number in range(5):
        pupil = make_pupil(cast, f"Яковлев{number}", cast.class_a)
        period_mark(cast, cast.math_a, pupil, "5", built["q1"])
        current_mark(cast, cast.math_a, pupil, "5", dt.date(2026, 9, 20))
    with django_assert_num_queries(11):
        report = results_report(classteacher, data)
    assert report.results.totals.n == 9 + 5


@pytest.mark.parametrize("name", ["reports:results", "reports:mark-divergence"])
def test_another_school_cannot_name_this_schools_class(client, cast, built, name):
    # The other school's administration sees its own reports, and a class of this school is not a choice there.
    response = login(client, cast.foreign_admin).get(reverse(name), {"school_class": cast.class_a.pk})
    assert response.status_code == 400
    assert "Алексеев" not in response.content.decode()
