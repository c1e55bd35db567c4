"""Messages (/messages/): the inbox, a new thread, a thread with its replies, class broadcasts.

Only a thread's participants reach it (others 404); a broadcast is its sender's (recipients see their own
private thread): ``diary.access.visible_threads`` and ``visible_broadcasts``, for the inbox and the pages alike. Who
may write to whom: ``diary.selectors.messages.allowed_recipients``.
"""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.choices import Role
from accounts.models import PupilProfile, User
from journal.dates import safe_id

from ..access import broadcast_classes_for_user, broadcast_for_user, family_pupils, may_broadcast, thread_for_user
from ..forms.messages import BroadcastForm, ReplyForm, ThreadForm
from ..selectors import messages as selectors
from ..services import messages as services


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Недостаточно прав.")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's threads, newest first, with the last message and unread counts; a broadcast once for its sender."""
    page = selectors.inbox_page(request.user, request.GET.get("page"))
    context = {
        "page": page,
        "entries": page.object_list,
        "unread": selectors.unread_total(request.user),
        "may_broadcast": may_broadcast(request.user),
    }
    return render(request, "diary/messages/inbox.html", context)


def _family_pupil(request: HttpRequest, user: User, pupils: list[PupilProfile]) -> PupilProfile | None:
    """The child a parent writes about: ``pupil`` from the form or the URL, else the first child."""
    wanted = safe_id(request.POST.get("pupil") or request.GET.get("pupil"))
    for pupil in pupils:
        if pupil.pk == wanted:
            return pupil
    return pupils[0] if pupils else None


@login_required
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    """A new thread. Families choose among the child's teachers, class teacher and the administration; staff search
    their allowed people or list a class. ``?to=<user id>`` preselects a recipient."""
    user = request.user
    if user.school_id is None:
        raise Http404
    family = selectors.is_family(user)
    pupils = list(family_pupils(user).select_related("user").order_by("user__first_name")) if family else []
    pupil = _family_pupil(request, user, pupils) if family else None
    classes = None if family else selectors.staff_classes(user)
    form_kwargs = {
        "user": user,
        "pupil": pupil,
        "pupils": family_pupils(user) if family else None,
        "classes": classes,
        "action": reverse("messaging:compose"),
    }
    sending = request.method == "POST" and "find" not in request.POST
    if request.method == "POST":
        form = ThreadForm(request.POST, **form_kwargs)
    else:
        to = safe_id(request.GET.get("to"))
        initial = {
            "pupil": pupil.pk if pupil else None,
            "to": [to] if to else [],
            "subject": request.GET.get("subject", ""),
            "q": request.GET.get("q", ""),
            "school_class": safe_id(request.GET.get("school_class")),
        }
        form = ThreadForm(initial=initial, **form_kwargs)
    if sending and form.is_valid():
        data = form.cleaned_data
        try:
            thread = services.thread_start(
                actor=user,
                recipients=list(data["to"]),
                subject=data["subject"],
                text=data["text"],
                pupil=pupil if family else None,
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _error_text(error))
        else:
            flash.success(request, _("Сообщение отправлено."))
            return redirect("messaging:thread", pk=thread.pk)
    selected = _selected_ids(form)
    if family:
        groups = selectors.family_recipient_groups(user, pupil)
    else:
        # As long as the search box takes: a megabyte typed into the URL is not searched for.
        query = (request.POST.get("q") or request.GET.get("q") or "").strip()[: ThreadForm.base_fields["q"].max_length]
        school_class = _chosen_class(request, classes)
        groups = selectors.staff_recipient_groups(user, query=query, school_class=school_class, selected=selected)
    context = {
        "form": form,
        "groups": groups,
        "selected": selected,
        "family": family,
        "pupils": pupils if user.role == Role.PARENT else [],
        "pupil": pupil,
    }
    status = 400 if sending and form.errors else 200
    return render(request, "diary/messages/compose.html", context, status=status)


def _selected_ids(form: ThreadForm) -> set[int]:
    raw = form.data.getlist("to") if form.is_bound else form.initial.get("to", [])
    return {pk for pk in map(safe_id, raw) if pk is not None}


def _chosen_class(request: HttpRequest, classes):
    class_id = safe_id(request.POST.get("school_class") or request.GET.get("school_class"))
    if class_id is None or classes is None:
        return None
    return classes.filter(pk=class_id).first()


def _thread_page(request: HttpRequest, thread, form: ReplyForm | None, status: int = 200) -> HttpResponse:
    can_reply = selectors.reply_allowed(request.user, thread)
    if can_reply and form is None:
        form = ReplyForm(action=reverse("messaging:reply", args=[thread.pk]))
    context = {
        "thread": thread,
        "participants": selectors.thread_participants(thread),
        "posts": selectors.thread_messages(thread),
        "form": form if can_reply else None,
        "is_broadcast_sender": thread.broadcast_id is not None and thread.broadcast.sender_id == request.user.pk,
    }
    return render(request, "diary/messages/thread.html", context, status=status)


@login_required
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The thread's messages and a reply form; opening it marks it read."""
    thread = thread_for_user(request.user, pk)
    if thread.user_unread or thread.user_last_read_at is None:
        services.thread_mark_read(actor=request.user, thread=thread)
    return _thread_page(request, thread, None)


@login_required
@require_POST
def thread_reply(request: HttpRequest, pk: int) -> HttpResponse:
    thread = thread_for_user(request.user, pk)
    form = ReplyForm(request.POST, action=reverse("messaging:reply", args=[thread.pk]))
    if form.is_valid():
        try:
            services.message_reply(actor=request.user, thread=thread, text=form.cleaned_data["text"])
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _error_text(error))
        else:
            return redirect(reverse("messaging:thread", args=[thread.pk]) + "#last")
    return _thread_page(request, thread, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def broadcast_create(request: HttpRequest) -> HttpResponse:
    """The class teacher writes to their class's parents (or pupils, or both); the deputy and the admin to any class."""
    classes = broadcast_classes_for_user(request.user)
    action = reverse("messaging:broadcast")
    if request.method == "POST":
        form = BroadcastForm(request.POST, classes=classes, action=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                broadcast = services.broadcast_send(
                    actor=request.user,
                    school_class=data["school_class"],
                    audience=data["audience"],
                    subject=data["subject"],
                    text=data["text"],
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _error_text(error))
            else:
                flash.success(
                    request,
                    _("Сообщение отправлено классу %(c)s: получателей %(n)s.")
                    % {"c": broadcast.school_class, "n": broadcast.recipients},
                )
                return redirect("messaging:broadcast_detail", pk=broadcast.pk)
        return render(request, "diary/messages/broadcast_form.html", {"form": form}, status=400)
    initial = {}
    if class_id := safe_id(request.GET.get("school_class")):
        initial["school_class"] = class_id
    form = BroadcastForm(initial=initial, classes=classes, action=action)
    return render(request, "diary/messages/broadcast_form.html", {"form": form})


@login_required
def broadcast_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The sender's view of a broadcast: the text, and each recipient by role (a parent with their child, a pupil)
    with whether they read it and their private thread with its replies."""
    broadcast = broadcast_for_user(request.user, pk)
    recipients = selectors.broadcast_recipients(broadcast)
    # One private thread per recipient: those who replied are the threads with a reply.
    context = {
        "broadcast": broadcast,
        "recipients": recipients,
        "groups": selectors.broadcast_groups(recipients),
        "replied": sum(1 for row in recipients if row.replies),
        "read": sum(1 for row in recipients if row.read_at is not None),
    }
    return render(request, "diary/messages/broadcast_detail.html", context)
