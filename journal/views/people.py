"""People pages: list import with a preview, credentials (codes and printable slips), personal cards.

The first login with a code is ``accounts.views.activation``; what hinges on classes (who may issue a class's
codes, whose card a class teacher keeps) is here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can_edit_structure, require_school_admin, same_school
from accounts.choices import Role
from accounts.models import ParentChild, PupilProfile, School, User
from journal.access import class_for_user, pupil_for_user
from journal.choices import ImportKind
from journal.dates import safe_id
from journal.forms.people import ImportUploadForm, ParentCardForm, PupilCardForm
from journal.forms.staff import ParentAddForm, ParentLinkForm
from journal.models import ImportJob
from journal.selectors import people as selectors
from journal.services import cards as card_services
from journal.services import credentials as credential_services
from journal.services.imports import apply as import_services
from journal.services.imports import table as import_table
from journal.services.imports.table import MAX_FILE_SIZE, template_file

SLIPS_PER_PAGE = 8
TEMPLATE_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TEMPLATE_FILE_NAMES = {ImportKind.PUPILS: "образец_учащиеся", ImportKind.STAFF: "образец_сотрудники"}
# The caps of a list, as the upload page states them.
CAPS = {
    "mb": MAX_FILE_SIZE // (1024 * 1024),
    "rows": import_table.MAX_ROWS,
    "lines": import_table.MAX_LINES,
    "columns": import_table.MAX_COLUMNS,
    "cell": import_table.MAX_CELL,
}


def _admin_school(request: HttpRequest) -> School:
    """People of a school are imported and given staff codes by its administrator."""
    require_school_admin(request.user)
    if request.user.school is None:
        raise Http404
    return request.user.school


def _job_for_admin(request: HttpRequest, pk: int, queryset=None) -> ImportJob:
    require_school_admin(request.user)
    if queryset is None:
        queryset = ImportJob.objects.select_related("school", "created_by")
    job = get_object_or_404(queryset, pk=pk)
    if not same_school(request.user, job.school_id):
        raise Http404
    return job


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- import -----------------------------------------------------------------------------------


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    school = _admin_school(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_services.import_upload(
                actor=request.user,
                school=school,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                content=upload.read(MAX_FILE_SIZE + 1),  # the form checked the size; past it the service refuses
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("journal:import_preview", pk=job.pk)
    context = {"form": form, "jobs": selectors.recent_imports(school), "kinds": ImportKind.choices, "caps": CAPS}
    return render(request, "journal/people/import_upload.html", context)


@login_required
def import_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """The sample file: the header row and one example row."""
    _admin_school(request)
    if kind not in ImportKind.values or fmt not in TEMPLATE_CONTENT_TYPES:
        raise Http404
    response = HttpResponse(template_file(kind, fmt), content_type=TEMPLATE_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{TEMPLATE_FILE_NAMES[kind]}.{fmt}")
    return response


@login_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for_admin(request, pk)
    if job.applied_at is not None:
        return redirect("journal:import_result", pk=job.pk)
    only_problems = request.GET.get("problems") == "1"
    preview = selectors.import_preview(job, only_problems=only_problems)
    return render(request, "journal/people/import_preview.html", {"preview": preview, "only_problems": only_problems})


@login_required
@require_POST
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the file to be applied; the preview page follows the job (or, run eagerly, it is done already)."""
    job = _job_for_admin(request, pk)
    try:
        import_services.import_apply_request(actor=request.user, job=job)
    except ValidationError as error:
        messages.error(request, _refusal(error))
        return redirect("journal:import_preview", pk=job.pk)
    # After the commit the job may have run already (Celery eager in development): read where it stands. Queued,
    # running or failed, the preview shows it (a failure with its reason).
    if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.DONE).exists():
        messages.success(request, _("Список загружен."))
        return redirect("journal:import_result", pk=job.pk)
    return redirect("journal:import_preview", pk=job.pk)


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress, polled by the preview page (htmx); once the file is in, htmx goes to the result."""
    job = _job_for_admin(request, pk, ImportJob.objects.defer("rows", "errors"))
    # A fragment: rendered without the request's context (the menu's queries are the full page's).
    response = HttpResponse(render_to_string("journal/people/import_progress.html", {"job": job}))
    if job.status == ImportJob.Status.DONE and request.htmx:
        response["HX-Redirect"] = reverse("journal:import_result", args=[job.pk])
    return response


@login_required
def import_result(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for_admin(request, pk)
    if job.applied_at is None:
        return redirect("journal:import_preview", pk=job.pk)
    return render(request, "journal/people/import_result.html", {"summary": selectors.import_summary(job)})


# --- credentials ------------------------------------------------------------------------------


def _selected_ids(request: HttpRequest) -> set[int]:
    return {pk for pk in map(safe_id, request.POST.getlist("users")) if pk is not None}


def _slips_response(
    request: HttpRequest, school: School, issued: list[tuple[User, str]], labels: dict[int, str], file_name: str
) -> HttpResponse:
    """The A4 sheet of cut-out slips; the only place the plain codes ever exist."""
    from weasyprint import HTML

    slips = [
        {"name": user.full_name, "label": labels.get(user.pk, ""), "username": user.username, "code": code}
        for user, code in issued
    ]
    context = {
        "school": school,
        "pages": [slips[start : start + SLIPS_PER_PAGE] for start in range(0, len(slips), SLIPS_PER_PAGE)],
        "site": request.build_absolute_uri("/"),
        "activate_url": request.build_absolute_uri(reverse("accounts:activate")),
        "issued_on": timezone.localdate(),
    }
    html = render_to_string("journal/people/credentials_pdf.html", context)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    response["Cache-Control"] = "no-store"
    return response


def _issue(
    request: HttpRequest, school: School, rows: list[selectors.CredentialRow], file_name: str
) -> HttpResponse | None:
    """Issue codes to the people ticked among ``rows`` (in the rows' order); None when the request was refused."""
    selected = _selected_ids(request)
    chosen = [row for row in rows if row.user.pk in selected]
    if not chosen:
        messages.error(request, _("Отметьте людей, которым нужно выдать коды."))
        return None
    try:
        issued = credential_services.codes_issue(actor=request.user, users=[row.user for row in chosen])
    except ValidationError as error:
        messages.error(request, _refusal(error))
        return None
    labels = {row.user.pk: row.label for row in chosen}
    return _slips_response(request, school, issued, labels, file_name)


@login_required
def staff_credentials(request: HttpRequest) -> HttpResponse:
    """The admin issues staff logins: one-time codes on a printable sheet."""
    school = _admin_school(request)
    rows = [row for row in selectors.staff_credential_rows(school) if row.user.pk != request.user.pk]
    if request.method == "POST":
        response = _issue(request, school, rows, f"коды_сотрудники_{timezone.localdate():%d.%m.%Y}.pdf")
        return response or redirect("journal:staff_credentials")
    context = {"title": _("Коды входа сотрудников"), "groups": [(_("Сотрудники"), rows)], "school_class": None}
    return render(request, "journal/people/credentials.html", context)


@login_required
def class_credentials(request: HttpRequest, pk: int) -> HttpResponse:
    """The class teacher (or the admin) issues logins to the class's pupils and their parents [000 §3.1]."""
    school_class, can_manage = class_for_user(request.user, pk)
    if not (can_manage or can_edit_structure(request.user)):
        raise PermissionDenied
    credentials = selectors.class_credential_rows(school_class)
    if request.method == "POST":
        file_name = f"коды_{school_class.grade}{school_class.letter}_{timezone.localdate():%d.%m.%Y}.pdf"
        response = _issue(request, school_class.year.school, credentials.family_order(), file_name)
        return response or redirect("journal:class_credentials", pk=school_class.pk)
    context = {
        "title": _("Коды входа: %(cls)s класс") % {"cls": school_class},
        "groups": [(_("Учащиеся"), credentials.pupils), (_("Родители"), credentials.parents)],
        "school_class": school_class,
    }
    return render(request, "journal/people/credentials.html", context)


# --- personal cards ---------------------------------------------------------------------------


def _card_for_user(user: User, pk: int) -> tuple[PupilProfile, bool]:
    """The card is for staff only: the pupil's class teacher and the admin edit it, the director and deputy read it."""
    if user.role in (Role.PUPIL, Role.PARENT):
        raise Http404
    pupil = pupil_for_user(user, pk)
    return pupil, card_services.may_edit_card(user, pupil)


def _render_card(
    request: HttpRequest,
    pupil: PupilProfile,
    can_edit: bool,
    pupil_form: PupilCardForm | None = None,
    parent_form: ParentCardForm | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = selectors.pupil_card_detail(pupil)
    parents = []
    for link in detail.links:
        form = None
        if can_edit:
            if parent_form is not None and parent_form.instance.pk == link.parent_id:
                form = parent_form
            else:
                form = ParentCardForm(instance=link.parent, prefix=f"parent-{link.parent_id}")
        parents.append((link, form, selectors.info_form_text(link.parent)))
    if can_edit and pupil_form is None:
        pupil_form = PupilCardForm(instance=pupil, prefix="pupil")
    current = next((e for e in detail.enrollments if e.date_to is None or e.date_to >= timezone.localdate()), None)
    # Linking a parent opens the child's diary to them: the school's admin adds, links and unlinks parents.
    manages_parents = can_edit_structure(request.user)
    context = {
        "pupil": pupil,
        "detail": detail,
        "can_edit": can_edit,
        "pupil_form": pupil_form,
        "parents": parents,
        "current_class": current.school_class if current else None,
        "manages_parents": manages_parents,
        "parent_add_form": ParentAddForm() if manages_parents else None,
        "parent_link_form": ParentLinkForm(pupil=pupil) if manages_parents else None,
    }
    return render(request, "journal/people/pupil_card.html", context, status=status)


@login_required
def pupil_card(request: HttpRequest, pk: int) -> HttpResponse:
    pupil, can_edit = _card_for_user(request.user, pk)
    if request.method != "POST":
        return _render_card(request, pupil, can_edit)
    if not can_edit:
        raise PermissionDenied
    form = PupilCardForm(request.POST, instance=pupil, prefix="pupil")
    if form.is_valid():
        data = form.cleaned_data
        try:
            card_services.pupil_card_update(
                actor=request.user,
                pupil=pupil,
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                date_of_birth=data["date_of_birth"],
                sex=data["sex"],
                address=data["address"],
                notes=data["notes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Карточка учащегося сохранена."))
            return redirect("journal:pupil_card", pk=pupil.pk)
    return _render_card(request, PupilProfile.objects.select_related("user").get(pk=pupil.pk), can_edit, form)


@login_required
@require_POST
def parent_card(request: HttpRequest, pk: int, parent_pk: int) -> HttpResponse:
    pupil, can_edit = _card_for_user(request.user, pk)
    link = get_object_or_404(ParentChild.objects.select_related("parent__user"), pupil=pupil, parent_id=parent_pk)
    if not can_edit:
        raise PermissionDenied
    parent = link.parent
    form = ParentCardForm(request.POST, instance=parent, prefix=f"parent-{parent.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            card_services.parent_card_update(
                actor=request.user,
                parent=parent,
                phone=data["phone"],
                email=data["email"],
                work_place=data["work_place"],
                consent_given_on=data["consent_given_on"],
                info_form=data["info_form"] or None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Данные родителя сохранены: %(name)s.") % {"name": parent.user.full_name})
            return redirect(f"{reverse('journal:pupil_card', args=[pupil.pk])}#parent-{parent.pk}")
    return _render_card(request, pupil, can_edit, parent_form=form)


@login_required
def class_cards(request: HttpRequest, pk: int) -> HttpResponse:
    """The class teacher's list of personal cards: where cards and credentials of the class are managed."""
    school_class, can_manage = class_for_user(request.user, pk)
    context = {
        "school_class": school_class,
        "can_manage": can_manage,
        "can_issue": can_manage or can_edit_structure(request.user),
        "rows": selectors.class_card_rows(school_class),
    }
    return render(request, "journal/people/class_cards.html", context)
