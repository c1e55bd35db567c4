"""People pages: upload → preview → apply → result; credentials pages and their PDF; the first-login page."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts import services as account_services
from accounts.choices import ParentKind
from accounts.models import ActivationCode, User
from accounts.tests.factories import TEST_PASSWORD
from journal import services
from journal.choices import ImportKind
from journal.models import ImportJob
from journal.services.credentials import codes_issue
from journal.services.imports import apply as import_services
from journal.tests.test_imports import STAFF_HEADER, pupil_row, staff_row, to_csv

NEW_PASSWORD = "Lipa-Klen-2026"


def add_family(cast, school_class, n):
    pupil = account_services.pupil_create(
        actor=cast.admin,
        school=cast.school,
        username=f"extra{school_class.pk}_{n}",
        last_name="Новиков",
        first_name="Илья",
        date_of_birth=dt.date(2013, 1, 1),
    )
    services.enrollment_create(actor=cast.admin, pupil=pupil, school_class=school_class, date_from=dt.date(2026, 9, 1))
    parent = account_services.parent_create(
        actor=cast.admin,
        school=cast.school,
        username=f"extraparent{school_class.pk}_{n}",
        last_name="Новикова",
        first_name="Ольга",
        phone=f"+7900000{n:04d}",
    )
    account_services.parent_link(actor=cast.admin, parent=parent, pupil=pupil, kind=ParentKind.MOTHER)
    return pupil


def upload_file(client, rows, kind=ImportKind.PUPILS, name="list.csv", **kwargs):
    header = STAFF_HEADER if kind == ImportKind.STAFF else None
    content = to_csv(rows, header=header, **kwargs) if header else to_csv(rows, **kwargs)
    return client.post(reverse("journal:import_upload"), {"kind": kind, "file": SimpleUploadedFile(name, content)})


def pdf_text(content: bytes) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


# --- import -----------------------------------------------------------------------------------


def test_upload_preview_apply_result(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.admin)
    assert "Образцы файлов" in client.get(reverse("journal:import_upload")).content.decode()
    response = upload_file(client, [pupil_row(), pupil_row(last_name="Белов", class_name="8Б")])
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("journal:import_preview", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "sokolov.ai" in page and "ошибок нет" in page
    assert reverse("journal:import_apply", args=[job.pk]) in page
    # Applying queues the job; the page follows it. The job runs at the commit (here: when the callbacks run).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("journal:import_apply", args=[job.pk]))
    assert response.status_code == 302 and response.url == reverse("journal:import_preview", args=[job.pk])
    assert User.objects.filter(username__in=["sokolov.ai", "belov.ai", "sokolova.ip"]).count() == 3
    response = client.get(response.url)
    assert response.status_code == 302 and response.url == reverse("journal:import_result", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "Учащихся зачислено" in page
    assert reverse("journal:class_credentials", args=[cast.class_a.pk]) in page
    assert reverse("journal:class_credentials", args=[cast.class_b.pk]) in page
    # applied: the preview leads to the result, and a second apply is refused with a message
    assert client.get(reverse("journal:import_preview", args=[job.pk])).url == reverse(
        "journal:import_result", args=[job.pk]
    )
    response = client.post(reverse("journal:import_apply", args=[job.pk]), follow=True)
    assert "уже загружен" in response.content.decode()
    assert User.objects.filter(username__startswith="sokolov.ai").count() == 1


def test_preview_with_problems_has_no_apply_button(client, cast):
    client.force_login(cast.admin)
    users = User.objects.count()
    upload_file(client, [pupil_row(), pupil_row(last_name="Белов", class_name="9Я", sex="?")])
    job = ImportJob.objects.get()
    response = client.get(reverse("journal:import_preview", args=[job.pk]))
    page = response.content.decode()
    assert "Класса 9 «Я» нет" in page and "Неверно указан пол" in page and "table-danger" in page
    assert reverse("journal:import_apply", args=[job.pk]) not in page
    only = client.get(reverse("journal:import_preview", args=[job.pk]), {"problems": "1"}).content.decode()
    assert "Белов" in only and "Соколов Артём" not in only
    response = client.post(reverse("journal:import_apply", args=[job.pk]), follow=True)
    assert "В файле есть ошибки" in response.content.decode()
    assert User.objects.count() == users


def test_a_bad_file_is_shown_on_the_form(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("journal:import_upload"),
        {"kind": ImportKind.PUPILS, "file": SimpleUploadedFile("list.docx", b"PK")},
    )
    assert response.status_code == 200 and "CSV или XLSX" in response.content.decode()
    response = upload_file(client, [staff_row()], kind=ImportKind.PUPILS, header=STAFF_HEADER)
    assert response.status_code == 200 and "нет обязательных столбцов" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_staff_import_through_the_pages(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.admin)
    upload_file(client, [staff_row()], kind=ImportKind.STAFF)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("journal:import_apply", args=[job.pk]))
    page = client.get(reverse("journal:import_result", args=[job.pk])).content.decode()
    assert "Сотрудников создано" in page and reverse("journal:staff_credentials") in page
    assert User.objects.filter(username="orlova.ns").exists()


@pytest.mark.parametrize("role", ["deputy", "director", "classteacher", "parent_user"])
def test_only_the_admin_uploads_and_applies(client, cast, role):
    client.force_login(cast.admin)
    upload_file(client, [pupil_row()])
    job = ImportJob.objects.get()
    client.force_login(getattr(cast, role))
    assert upload_file(client, [pupil_row(last_name="Белов")]).status_code == 403
    assert client.post(reverse("journal:import_apply", args=[job.pk])).status_code == 403
    assert ImportJob.objects.count() == 1 and ImportJob.objects.get().applied_at is None
    assert not User.objects.filter(username="sokolov.ai").exists()


def test_another_schools_admin_cannot_apply(client, cast):
    client.force_login(cast.admin)
    upload_file(client, [pupil_row()])
    job = ImportJob.objects.get()
    client.force_login(cast.foreign_admin)
    assert client.post(reverse("journal:import_apply", args=[job.pk])).status_code == 404
    assert ImportJob.objects.get().applied_at is None


def test_apply_is_post_only(client, cast):
    client.force_login(cast.admin)
    upload_file(client, [pupil_row()])
    job = ImportJob.objects.get()
    assert client.get(reverse("journal:import_apply", args=[job.pk])).status_code == 405
    assert ImportJob.objects.get().applied_at is None


@pytest.mark.parametrize("kind", ["pupils", "staff"])
def test_sample_files(client, cast, kind):
    client.force_login(cast.admin)
    response = client.get(reverse("journal:import_template", args=[kind, "xlsx"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Фамилия" and sheet.max_row == 2
    response = client.get(reverse("journal:import_template", args=[kind, "csv"]))
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffФамилия;Имя;Отчество;")
    assert len(text.strip().splitlines()) == 2
    assert client.get(reverse("journal:import_template", args=[kind, "xls"])).status_code == 404


@pytest.mark.parametrize("size", [1, 40])
def test_preview_queries_do_not_grow_with_rows(client, cast, django_assert_num_queries, size):
    client.force_login(cast.admin)
    upload_file(client, [pupil_row(last_name=f"Ф{'а' * n}", date_of_birth="01.01.2013") for n in range(size)])
    job = ImportJob.objects.get()
    # session, user+school, the job (with school and author; its rows are in the job), menu: unread
    with django_assert_num_queries(4):
        assert client.get(reverse("journal:import_preview", args=[job.pk])).status_code == 200


@pytest.mark.parametrize("size", [1, 40])
def test_result_queries_do_not_grow_with_rows(client, cast, django_assert_num_queries, size):
    client.force_login(cast.admin)
    rows = [
        pupil_row(last_name=f"Ф{'а' * n}", date_of_birth="01.01.2013", class_name="7А8Б"[n % 2 * 2 :][:2])
        for n in range(size)
    ]
    upload_file(client, rows)
    job = ImportJob.objects.get()
    import_services.import_apply(actor=cast.admin, job=job)
    # session, user+school, the job (with school and author), the classes the pupils went into, menu: unread
    with django_assert_num_queries(5):
        assert client.get(reverse("journal:import_result", args=[job.pk])).status_code == 200


# --- the apply job, followed by the page ---------------------------------------------------------------


def queued_job(client, cast, rows=None) -> ImportJob:
    """A clean file applied through the page, its job queued and not run (the callbacks after the commit are not)."""
    client.force_login(cast.admin)
    upload_file(client, rows or [pupil_row()])
    job = ImportJob.objects.get()
    response = client.post(reverse("journal:import_apply", args=[job.pk]))
    assert response.status_code == 302 and response.url == reverse("journal:import_preview", args=[job.pk])
    return ImportJob.objects.get(pk=job.pk)


def test_the_preview_follows_a_queued_job(client, cast):
    job = queued_job(client, cast)
    assert job.status == ImportJob.Status.QUEUED
    page = client.get(reverse("journal:import_preview", args=[job.pk])).content.decode()
    progress = reverse("journal:import_progress", args=[job.pk])
    assert f'hx-get="{progress}"' in page and 'hx-trigger="every 2s"' in page and "в очереди" in page
    assert '<meta http-equiv="refresh" content="5">' in page  # without JavaScript the page reloads itself
    assert reverse("journal:import_apply", args=[job.pk]) not in page  # no second click while it runs


def test_the_progress_endpoint_shows_where_the_job_stands(client, cast):
    job = queued_job(client, cast)
    url = reverse("journal:import_progress", args=[job.pk])
    assert "Файл в очереди на загрузку" in client.get(url).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, progress_done=250, progress_total=1000)
    page = client.get(url).content.decode()
    assert "Проверено и подготовлено строк: 250 из 1000" in page and 'value="25"' in page
    assert 'hx-trigger="every 2s"' in page and 'role="status"' in page
    ImportJob.objects.filter(pk=job.pk).update(progress_done=1000)
    assert "записываем в школу" in client.get(url).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error="Строка 3: логин занят.")
    page = client.get(url).content.decode()
    assert "Строка 3: логин занят." in page and "hx-trigger" not in page  # polling stops


def test_the_progress_endpoint_sends_htmx_to_the_result_when_done(client, cast):
    job = queued_job(client, cast)
    import_services.import_job_run(job.pk)
    url = reverse("journal:import_progress", args=[job.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("journal:import_result", args=[job.pk])
    response = client.get(url)  # without htmx: a link to the result
    assert (
        "HX-Redirect" not in response and reverse("journal:import_result", args=[job.pk]) in response.content.decode()
    )


def test_a_failed_job_is_shown_on_the_preview_with_the_button_again(client, cast):
    job = queued_job(client, cast)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error="Строка 2: класс закрыт.")
    page = client.get(reverse("journal:import_preview", args=[job.pk])).content.decode()
    assert "Список не загружен, в школу ничего не записано." in page and "Строка 2: класс закрыт." in page
    assert reverse("journal:import_apply", args=[job.pk]) in page and "Загрузить снова" in page


def test_the_progress_queries(client, cast, django_assert_num_queries):
    job = queued_job(client, cast, [pupil_row(last_name=f"Ф{'а' * n}") for n in range(20)])
    # session, user+school, the job without its rows and problems
    with django_assert_num_queries(3):
        assert client.get(reverse("journal:import_progress", args=[job.pk])).status_code == 200


@pytest.mark.parametrize("role", ["deputy", "director", "classteacher", "parent_user"])
def test_only_the_admin_follows_a_job(client, cast, role):
    job = queued_job(client, cast)
    client.force_login(getattr(cast, role))
    assert client.get(reverse("journal:import_progress", args=[job.pk])).status_code == 403
    client.force_login(cast.foreign_admin)
    assert client.get(reverse("journal:import_progress", args=[job.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_in_development_the_job_runs_within_the_request(client, cast):
    """Celery eager and real commits, as `make run` has it: the apply request ends with the file in."""
    client.force_login(cast.admin)
    upload_file(client, [pupil_row()])
    job = ImportJob.objects.get()
    response = client.post(reverse("journal:import_apply", args=[job.pk]))
    assert response.status_code == 302 and response.url == reverse("journal:import_result", args=[job.pk])
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    assert User.objects.filter(username="sokolov.ai").exists()


# --- credentials ------------------------------------------------------------------------------


def test_staff_credentials_page_and_pdf(client, cast):
    codes_issue(actor=cast.admin, users=[cast.deputy])
    client.force_login(cast.admin)
    page = client.get(reverse("journal:staff_credentials")).content.decode()
    assert "код выдан" in page and "пароль задан" in page and f'value="{cast.admin.pk}"' not in page
    response = client.post(reverse("journal:staff_credentials"), {"users": [cast.teacher.pk, cast.director.pk]})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert ".pdf" in response["Content-Disposition"] and "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    assert ActivationCode.objects.filter(user__in=[cast.teacher, cast.director], issued_by=cast.admin).count() == 2
    text = pdf_text(response.content)
    if text is not None:
        assert "teacher" in text and "director" in text and "Первый вход" in text.replace("\n", " ")


def test_issuing_nobody_is_a_message(client, cast):
    client.force_login(cast.admin)
    response = client.post(reverse("journal:staff_credentials"), {"users": []}, follow=True)
    assert "Отметьте людей" in response.content.decode()
    assert not ActivationCode.objects.exists()


def test_class_teacher_issues_codes_for_the_class(client, cast):
    client.force_login(cast.classteacher)
    url = reverse("journal:class_credentials", args=[cast.class_a.pk])
    page = client.get(url).content.decode()
    assert cast.pupil.user.full_name in page and cast.parent_user.full_name in page
    assert cast.other_pupil.user.full_name not in page
    # a user of another class slipped into the form is ignored, not issued
    response = client.post(url, {"users": [cast.pupil_user.pk, cast.parent_user.pk, cast.other_pupil.user_id]})
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert set(ActivationCode.objects.values_list("user__username", flat=True)) == {"pupil", "parent"}
    text = pdf_text(response.content)
    if text is not None:
        assert "pupil" in text and "parent" in text and "7 «А»" in text


def test_class_credentials_of_another_class_is_404(client, cast):
    client.force_login(cast.classteacher)
    url = reverse("journal:class_credentials", args=[cast.class_b.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"users": [cast.other_pupil.user_id]}).status_code == 404
    assert not ActivationCode.objects.exists()


@pytest.mark.parametrize("role", ["deputy", "director"])
def test_management_cannot_issue_class_codes(client, cast, role):
    client.force_login(getattr(cast, role))
    url = reverse("journal:class_credentials", args=[cast.class_a.pk])
    assert client.post(url, {"users": [cast.pupil_user.pk]}).status_code == 403
    assert not ActivationCode.objects.exists()


def test_admin_issues_class_codes(client, cast):
    client.force_login(cast.admin)
    url = reverse("journal:class_credentials", args=[cast.class_b.pk])
    response = client.post(url, {"users": [cast.other_pupil.user_id, cast.parent2_user.pk]})
    assert response.content.startswith(b"%PDF")
    assert ActivationCode.objects.count() == 2


@pytest.mark.parametrize("extra", [0, 6])
def test_class_credentials_page_has_fixed_queries(client, cast, django_assert_num_queries, extra):
    for n in range(extra):
        add_family(cast, cast.class_a, n)
    codes_issue(actor=cast.admin, users=[cast.pupil_user])
    client.force_login(cast.classteacher)
    # session, user+school, class (visibility and manage right in one), pupils on the roll (with their codes), their
    # parents (with their codes), menu: led class and unread (one query)
    with django_assert_num_queries(6):
        response = client.get(reverse("journal:class_credentials", args=[cast.class_a.pk]))
    assert response.content.decode().count("Новиков Илья") == extra


def test_pdf_slips_for_a_whole_class_fill_pages(client, cast):
    for n in range(9):
        add_family(cast, cast.class_a, n)
    client.force_login(cast.classteacher)
    url = reverse("journal:class_credentials", args=[cast.class_a.pk])
    users = list(User.objects.filter(username__startswith="extra").values_list("pk", flat=True))
    response = client.post(url, {"users": users})
    assert response.content.startswith(b"%PDF")
    assert ActivationCode.objects.count() == 18
    text = pdf_text(response.content)
    if text is not None:
        assert text.count("Код первого входа") == 18
        assert text.count("\f") >= 3  # 18 slips, 8 a page


# --- first login ------------------------------------------------------------------------------


def activate(client, username, code, password=NEW_PASSWORD, password2=None, ip="10.0.0.9"):
    data = {"username": username, "code": code, "new_password1": password, "new_password2": password2 or password}
    return client.post(reverse("accounts:activate"), data, REMOTE_ADDR=ip)


def test_activation_logs_in_and_goes_home(client, cast):
    [(_user, code)] = codes_issue(actor=cast.classteacher, users=[cast.pupil_user])
    assert "Первый вход" in client.get(reverse("accounts:activate")).content.decode()
    response = activate(client, "pupil", code)
    assert response.status_code == 302 and response.url == reverse("home")
    assert int(client.session["_auth_user_id"]) == cast.pupil_user.pk
    assert User.objects.get(pk=cast.pupil_user.pk).check_password(NEW_PASSWORD)
    client.logout()
    login = client.post(reverse("accounts:login"), {"username": "pupil", "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_activation_refusals_change_nothing(client, cast):
    [(_user, code)] = codes_issue(actor=cast.admin, users=[cast.teacher])
    page = activate(client, "teacher", "ZZZZ-ZZZZ").content.decode()
    assert "Неверный логин или код" in page
    page = activate(client, "teacher", code, password2="Drugoi-Parol-77").content.decode()
    assert "Пароли не совпадают" in page
    response = activate(client, "teacher", code, password="12345678")
    refusals = ["Введённый пароль слишком широко распространён.", "Введённый пароль состоит только из цифр."]
    assert response.context["form"].errors["new_password1"] == refusals
    assert all(refusal in response.content.decode() for refusal in refusals)
    assert "_auth_user_id" not in client.session
    assert not User.objects.get(pk=cast.teacher.pk).has_usable_password()
    assert ActivationCode.objects.get(user=cast.teacher).used_at is None


def test_activation_is_throttled_by_axes(client, cast):
    [(_user, code)] = codes_issue(actor=cast.admin, users=[cast.teacher])
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert activate(client, "teacher", "ZZZZ-ZZZZ").status_code == 200
    assert activate(client, "teacher", "ZZZZ-ZZZZ").status_code == 429
    locked = activate(client, "teacher", code)  # even the right code, during the cool-off
    assert locked.status_code == 429 and "заблокирован" in locked.content.decode()
    assert ActivationCode.objects.get(user=cast.teacher).used_at is None
    # another person behind the same school address is not locked
    [(_user, other)] = codes_issue(actor=cast.admin, users=[cast.other_teacher])
    assert activate(client, "other_teacher", other).status_code == 302


def test_signed_in_users_are_sent_home(client, cast):
    client.force_login(cast.teacher)
    assert client.get(reverse("accounts:activate")).url == reverse("home")
    assert User.objects.get(pk=cast.teacher.pk).check_password(TEST_PASSWORD)
