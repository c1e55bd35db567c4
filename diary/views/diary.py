from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import pupil_for_user
from accounts.choices import Role
from accounts.selectors import pupil_card
from journal.selectors import children_of


@login_required
def diary_home(request: HttpRequest) -> HttpResponse:
    """A pupil goes to their own page, a parent to their first child's."""
    user = request.user
    if user.role == Role.PUPIL and hasattr(user, "pupil"):
        return redirect("diary:pupil", pk=user.pupil.pk)
    if user.role == Role.PARENT:
        children = children_of(user)
        if children:
            return redirect("diary:pupil", pk=children[0].pk)
    raise Http404


@login_required
def pupil_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = pupil_for_user(request.user, pk)
    children = children_of(request.user) if request.user.role == Role.PARENT else []
    card = pupil_card(pupil, timezone.localdate())
    return render(request, "diary/pupil_detail.html", {"card": card, "children": children})
