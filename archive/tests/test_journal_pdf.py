"""The printed class journal (issue 13): what the PDF says, how many queries a class costs, the background print
that resumes, who may print what, and bad input answered in Russian."""

import datetime as dt
import io
import subprocess
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archive.choices import ArchiveStatus
from archive.models import JournalPrint
from archive.render.journal import class_journal_html, class_journal_pdf
from archive.selectors.journal_print import class_journal_data
from archive.services import prints
from archive.services.prints import journal_print_check, journal_print_request, journal_print_run
from conftest import build_foreign_school
from journal.models import Attendance, Homework, Lesson, Mark, PeriodMark, PeriodMarkKind, SchoolClass, StudyPeriod
from journal.services.substitution import substitution_record
from reports.tests.seventh_grade import make_pupil, seventh_grade

D = dt.date
URL = "archive:journal-print"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf_text(content: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def add_lessons(cast, assignment, count: int, pupils, start=D(2026, 9, 7)) -> list[Lesson]:
    """``count`` lessons on consecutive days, each with a topic, homework, a mark and an absence."""
    lessons = []
    for i in range(count):
        lesson = Lesson.objects.create(
            assignment=assignment, date=start + dt.timedelta(days=i), number=1, topic=f"Тема {i + 1}"
        )
        Homework.objects.create(lesson=lesson, text=f"Задание {i + 1}", updated_by=cast.admin)
        for j, pupil in enumerate(pupils):
            if (i + j) % 3 == 0:
                Mark.objects.create(lesson=lesson, pupil=pupil, value="4", updated_by=cast.admin)
            elif (i + j) % 3 == 1:
                Attendance.objects.create(lesson=lesson, pupil=pupil, code="б", updated_by=cast.admin)
        lessons.append(lesson)
    return lessons


@pytest.fixture
def seventh(cast):
    """7 «А» of reports' tests, with a recorded math lesson given by a substitute and a period mark."""
    grade = seventh_grade(cast)
    lesson = Lesson.objects.create(
        assignment=cast.math_a, date=D(2026, 9, 14), number=2, topic="Обыкновенные дроби: сложение"
    )
    Homework.objects.create(lesson=lesson, text="№ 245, 247 (учебник)", updated_by=cast.teacher)
    Mark.objects.create(lesson=lesson, pupil=grade.alekseev, value="5", updated_by=cast.teacher)
    Mark.objects.create(lesson=lesson, pupil=grade.alekseev, value="4", position=2, updated_by=cast.teacher)
    Attendance.objects.create(lesson=lesson, pupil=grade.borisova, code="у", updated_by=cast.teacher)
    substitution_record(actor=cast.deputy, lesson=lesson, substitute=cast.other_teacher, reason="болезнь")
    first = StudyPeriod.objects.get(year=cast.year, kind="quarter", number=1)
    PeriodMark.objects.create(
        assignment=cast.math_a,
        pupil=grade.dmitrieva,
        kind=PeriodMarkKind.PERIOD,
        period=first,
        value="3",
        updated_by=cast.teacher,
    )
    return grade


# What the PDF says ------------------------------------------------------------------------------------------------


def test_the_journal_pdf_reads_like_the_paper_one(cast, seventh):
    content = class_journal_pdf(cast.class_a)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for expected in (
        "КЛАССНЫЙ ЖУРНАЛ",
        "7 «А» класс",
        "2026/2027 учебный год",
        "Classteacher А. П.",  # the class teacher, on the title page and the signature line
        "Алексеев Андрей",
        "Борисова Белла",
        "Волков Виктор",
        "переезд, приказ № 12",  # Борисова's departure with its reason
        "Математика",
        "Английский язык (Группа 1)",
        "Обыкновенные дроби: сложение",
        "№ 245, 247 (учебник)",
        "замена: Other_teacher А. П.",
        "5/4",  # two marks of one lesson
        "Классный руководитель ______",
        "Заместитель директора по УВР ______",
        "Директор ______",
        "Сведения о пропущенных уроках",
    ):
        assert expected in text, expected
    assert "стр. 1 из " in text


def test_the_period_marks_follow_the_dates(cast, seventh):
    text = pdf_text(class_journal_pdf(cast.class_a, assignment=cast.math_a))
    header = next(line for line in text.splitlines() if "Фамилия, имя" in line and "14.09" in line)
    assert header.split()[-5:] == ["I", "II", "III", "IV", "Год"]
    dmitrieva = next(line for line in text.splitlines() if "Дмитриева Д." in line)
    assert dmitrieva.split()[-1] == "3"  # her first quarter's mark, under «I»
    alekseev = next(line for line in text.splitlines() if "Алексеев А." in line)
    assert alekseev.split()[-1] == "5/4"  # no period mark: the last thing on the line is the lesson's cell


def test_one_subject_for_a_period_prints_only_that_subject_and_those_dates(cast, seventh):
    Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 10), number=1, topic="Тема второй четверти")
    content = class_journal_pdf(cast.class_a, start=D(2026, 9, 1), end=D(2026, 10, 23), assignment=cast.math_a)
    text = pdf_text(content)
    assert "Обыкновенные дроби: сложение" in text
    assert "Тема второй четверти" not in text
    assert "Английский язык" not in text
    assert "за период с 01.09.2026 по 23.10.2026" in text


def test_the_attendance_summary_counts_by_the_journals_classifier(cast, seventh):
    data = class_journal_data(cast.class_a, cast.year.start_date, cast.year.end_date)
    html = class_journal_html(data)
    # Борисова: one «у» (excused): missed 1, of them excused 1.
    row = html.split("Борисова Белла")[-1].split("</tr>")[0]
    assert '<td class="int">1</td><td class="int">0</td><td class="int">1</td><td class="int">0</td>' in row


def test_a_marks_row_is_one_cell_of_tab_stops_grey_where_the_pupil_was_not_in_the_class(cast, seventh):
    """A row's marks sit at tab stops of one cell, a column each (the cheap layout of archive.render.journal); a day
    after a pupil left is grey in her row's background: 23.11 is the second column, 27–54 px."""
    Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 23), number=1, topic="После отъезда")
    data = class_journal_data(cast.class_a, cast.year.start_date, cast.year.end_date, cast.math_a)
    html = class_journal_html(data)
    alekseev = html.split("Алексеев А.")[1].split("</tr>")[0]
    assert '<td class="dates">5/4</td>' in alekseev  # 14.09 in the first column; nothing on 23.11
    borisova = html.split("Борисова Б.")[1].split("</tr>")[0]
    assert "transparent 27px, #ddd 27px, #ddd 54px, transparent 54px" in borisova
    assert ">\u2007у</td>" in borisova  # her «у» of 14.09, indented to the middle of its column
    header = html.split('<th class="dates">')[1].split("</th>")[0]
    assert header == "14.09\t23.11"


# Queries ----------------------------------------------------------------------------------------------------------


def _queries(school_class) -> int:
    with CaptureQueriesContext(connection) as queries:
        data = class_journal_data(school_class, school_class.year.start_date, school_class.year.end_date)
        class_journal_html(data)
    return len(queries)


def test_a_class_costs_the_same_queries_whatever_its_pupils_and_lessons(cast, seventh):
    pupils = [seventh.alekseev, seventh.dmitrieva, seventh.grigoriev]
    add_lessons(cast, cast.math_a, 3, pupils)
    few = _queries(cast.class_a)
    more = [make_pupil(cast, f"Новиков{i}", "Пётр", "m", cast.class_a, cast.year.start_date) for i in range(4)]
    add_lessons(cast, cast.math_a, 30, pupils + more, start=D(2026, 11, 2))
    add_lessons(cast, seventh.pe_a, 10, pupils + more)
    assert _queries(cast.class_a) == few
    # The grade's period kind, its periods, the director, the roster, the assignments, the subgroups' pupils, the
    # lessons, the cells, the homework, the period marks.
    assert few == 10


# The background print ---------------------------------------------------------------------------------------------


@pytest.fixture
def renders(monkeypatch):
    """Count the classes rendered (the real renderer is tested above); ``fail_on`` makes one class fail."""
    calls: list[int] = []
    state = {"fail_on": None}

    def fake(school_class, *, start=None, end=None, assignment=None):
        if school_class.pk == state["fail_on"]:
            raise RuntimeError("принтер сломался")
        calls.append(school_class.pk)
        return b"%PDF-1.7 " + str(school_class).encode()

    monkeypatch.setattr(prints, "class_journal_pdf", fake)
    return calls, state


def _request_school(cast, django_capture_on_commit_callbacks) -> JournalPrint:
    with django_capture_on_commit_callbacks(execute=False):
        return journal_print_request(
            actor=cast.admin,
            year=cast.year,
            school_class=None,
            assignment=None,
            start=cast.year.start_date,
            end=cast.year.end_date,
        )


def test_the_whole_school_is_a_zip_of_one_pdf_per_class(cast, renders, django_capture_on_commit_callbacks):
    calls, _state = renders
    job = _request_school(cast, django_capture_on_commit_callbacks)
    assert journal_print_run(job.pk) == "done"
    job.refresh_from_db()
    assert job.status == ArchiveStatus.DONE
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert calls == [cast.class_a.pk, cast.class_b.pk]
    with default_storage.open(job.path, "rb") as stored:
        names = zipfile.ZipFile(io.BytesIO(stored.read())).namelist()
    assert names == ["7А.pdf", "8Б.pdf"]
    assert job.size == default_storage.size(job.path)
    # A second delivery of the task finds it done: nothing is rendered again.
    assert journal_print_run(job.pk) == "skipped"
    assert calls == [cast.class_a.pk, cast.class_b.pk]


def test_a_print_that_failed_resumes_without_rendering_finished_classes(
    cast, renders, client, django_capture_on_commit_callbacks
):
    calls, state = renders
    job = _request_school(cast, django_capture_on_commit_callbacks)
    state["fail_on"] = cast.class_b.pk
    assert journal_print_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == ArchiveStatus.FAILED and "принтер сломался" in job.error
    assert list(job.parts) == [str(cast.class_a.pk)] and job.progress_done == 1
    state["fail_on"] = None
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):  # eager Celery runs the task at the commit
        response = client.post(reverse("archive:journal-print-continue", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ArchiveStatus.DONE
    assert calls == [cast.class_a.pk, cast.class_b.pk]  # 7 «А» once, before the failure


def test_a_part_already_stored_is_not_rendered_again(cast, renders, django_capture_on_commit_callbacks):
    calls, _state = renders
    job = _request_school(cast, django_capture_on_commit_callbacks)
    path = default_storage.save(f"archive/prints/{job.pk}/7A.pdf", ContentFile(b"%PDF-1.7 done before"))
    JournalPrint.objects.filter(pk=job.pk).update(parts={str(cast.class_a.pk): path})
    assert journal_print_run(job.pk) == "done"
    assert calls == [cast.class_b.pk]


def test_a_lost_worker_s_print_is_taken_over_later_not_at_once(cast, renders, django_capture_on_commit_callbacks):
    calls, _state = renders
    job = _request_school(cast, django_capture_on_commit_callbacks)
    JournalPrint.objects.filter(pk=job.pk).update(status=ArchiveStatus.RUNNING, started_at=timezone.now())
    assert journal_print_run(job.pk) == "skipped"  # another worker holds it
    JournalPrint.objects.filter(pk=job.pk).update(started_at=timezone.now() - dt.timedelta(hours=1))
    assert journal_print_run(job.pk) == "done"
    assert calls == [cast.class_a.pk, cast.class_b.pk]


# The page ---------------------------------------------------------------------------------------------------------


def test_a_class_print_is_queued_and_its_page_follows_it(cast, seventh, client, django_capture_on_commit_callbacks):
    client.force_login(cast.classteacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(URL), {"school_class": cast.class_a.pk, "period": "half1"})
    job = JournalPrint.objects.get()
    assert response.status_code == 302 and response.url == reverse("archive:journal-print-job", args=[job.pk])
    assert (job.start, job.end) == (D(2026, 9, 1), D(2026, 12, 26))
    assert job.status == ArchiveStatus.DONE
    page = client.get(response.url)
    assert "Скачать" in page.content.decode()
    download = client.get(reverse("archive:journal-print-download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Another user learns nothing of it.
    client.force_login(cast.deputy)
    assert client.get(response.url).status_code == 404
    assert client.get(reverse("archive:journal-print-download", args=[job.pk])).status_code == 404


def test_a_teacher_prints_their_own_subject_at_once(cast, seventh, client):
    client.force_login(cast.teacher)
    response = client.post(
        reverse(URL), {"school_class": cast.class_a.pk, "assignment": cast.math_a.pk, "period": "year"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Обыкновенные дроби" in pdf_text(response.content)
    assert not JournalPrint.objects.exists()


def test_a_teacher_does_not_print_the_whole_class(cast, seventh, client):
    client.force_login(cast.teacher)
    response = client.post(reverse(URL), {"school_class": cast.class_a.pk, "period": "year"})
    assert response.status_code == 400
    assert "выберите свой предмет" in response.content.decode()
    assert not JournalPrint.objects.exists()


def test_a_teacher_does_not_print_another_teacher_s_subject(cast, seventh, client):
    client.force_login(cast.teacher)
    # English of group 2 is the other teacher's: not among the choices.
    response = client.post(
        reverse(URL), {"school_class": cast.class_a.pk, "assignment": seventh.english2.pk, "period": "year"}
    )
    assert response.status_code == 400
    assert "Выберите корректный вариант" in response.content.decode()


@pytest.mark.parametrize("role", ["teacher", "other_teacher", "classteacher"])
def test_only_the_administration_prints_the_whole_school(cast, client, role):
    client.force_login(getattr(cast, role))
    response = client.post(reverse(URL), {"school_class": "", "period": "year"})
    assert response.status_code == 400
    assert not JournalPrint.objects.exists()


@pytest.mark.parametrize("role", ["pupil_user", "parent_user"])
def test_pupils_and_parents_get_404(cast, client, role):
    client.force_login(getattr(cast, role))
    assert client.get(reverse(URL)).status_code == 404
    assert client.post(reverse(URL), {"school_class": cast.class_a.pk, "period": "year"}).status_code == 404


def test_the_class_page_and_the_reports_link_to_the_print(cast, client):
    client.force_login(cast.classteacher)
    page = client.get(reverse("journal:class_detail", args=[cast.class_a.pk])).content.decode()
    assert f"{reverse(URL)}?school_class={cast.class_a.pk}" in page
    assert reverse(URL) in client.get(reverse("reports:index")).content.decode()
    form = client.get(f"{reverse(URL)}?school_class={cast.class_a.pk}").content.decode()
    assert f'<option value="{cast.class_a.pk}" selected>' in form


# Bad input --------------------------------------------------------------------------------------------------------


def test_dates_outside_the_year_are_refused_in_russian(cast):
    with pytest.raises(ValidationError) as error:
        journal_print_check(
            actor=cast.admin,
            year=cast.year,
            school_class=cast.class_a,
            assignment=None,
            start=D(2026, 8, 1),
            end=D(2026, 9, 30),
        )
    assert "внутри учебного года 2026/2027 (01.09.2026–26.05.2027)" in error.value.messages[0]
    with pytest.raises(ValidationError, match="позже даты окончания"):
        journal_print_check(
            actor=cast.admin,
            year=cast.year,
            school_class=None,
            assignment=None,
            start=D(2026, 10, 1),
            end=D(2026, 9, 1),
        )
    with pytest.raises(PermissionDenied):
        journal_print_check(
            actor=cast.teacher,
            year=cast.year,
            school_class=None,
            assignment=None,
            start=D(2026, 9, 1),
            end=D(2026, 9, 30),
        )
    with pytest.raises(ValidationError, match="не из нагрузки этого класса"):
        journal_print_check(
            actor=cast.admin,
            year=cast.year,
            school_class=cast.class_a,
            assignment=cast.physics_b,
            start=D(2026, 9, 1),
            end=D(2026, 9, 30),
        )


def test_another_school_s_class_and_bad_values_are_form_errors(cast, client):
    foreign = build_foreign_school(cast)
    foreign_class = SchoolClass.objects.get(year__school_id=foreign.admin.school_id)
    client.force_login(cast.admin)
    for data in (
        {"school_class": foreign_class.pk, "period": "year"},
        {"school_class": "99999999999999999999999", "period": "year"},
        {"school_class": cast.class_a.pk, "period": "half9"},
        {"school_class": cast.class_a.pk, "assignment": cast.physics_b.pk, "period": "year"},
    ):
        response = client.post(reverse(URL), data)
        assert response.status_code == 400, data
        assert "корректный вариант" in response.content.decode() or "другого класса" in response.content.decode()
    assert not JournalPrint.objects.exists()
    # Another school's admin does not see this school's class among the choices either.
    client.force_login(cast.foreign_admin)
    response = client.post(reverse(URL), {"school_class": cast.class_a.pk, "period": "year"})
    assert response.status_code == 400
    assert not JournalPrint.objects.exists()
