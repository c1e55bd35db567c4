"""The menu: what the signed-in user's role may do (one small query for a class teacher's class)."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from journal.access import is_school_management
from journal.selectors import led_class_id

from .choices import Role


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Главная"), reverse("home"))]
    if is_school_management(user):
        items += [
            (_("Открытие года"), reverse("journal:setup")),
            (_("Классы"), reverse("journal:class_list")),
            (_("Учебная нагрузка"), reverse("journal:assignment_list")),
            (_("Расписание"), reverse("journal:timetable_index")),
            (_("Сотрудники"), reverse("journal:staff_list")),
        ]
    elif user.role == Role.TEACHER:
        items.append((_("Мои классы и предметы"), reverse("journal:assignment_list")))
        items.append((_("Моё расписание"), reverse("journal:timetable_teacher", args=[user.pk])))
        led = led_class_id(user)
        if led is not None:
            items.append((_("Мой класс"), reverse("journal:class_detail", args=[led])))
    elif user.role in (Role.PUPIL, Role.PARENT):
        items.append((_("Дневник"), reverse("diary:home")))
    items.append((_("Учебный год"), reverse("journal:year_detail")))
    if user.is_staff:
        items.append((_("Администрирование"), reverse("admin:index")))
    return {"nav_items": items}
