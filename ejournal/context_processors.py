"""The menu: what the signed-in user's role may do, and «Сообщения» with the unread count (one query for both the
class a teacher leads and the count: diary.selectors.menu.menu_facts).

Each item is (label, url) or (label, [(label, url), ...]) for a drop-down. The items are a function of the role, the
led class and the school (and, for a teacher, the user's own timetable): built once per process for each such
combination (``_menu``), since reversing and translating some 30 labels on every page cost more than the page's
queries. Nothing needs invalidating: a changed role or led class is a different key.
"""

from functools import lru_cache

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.access import can_edit_structure, is_school_management
from accounts.choices import Role
from diary.selectors.menu import menu_facts


def _management_items(user) -> list:
    year_items = [
        (_("Открытие учебного года"), reverse("journal:setup")),
        (_("Календарь"), reverse("journal:year_detail")),
        (_("Учебная нагрузка"), reverse("journal:assignment_list")),
        (_("Движение учащихся"), reverse("journal:movement")),
        (_("Журнал замены уроков"), reverse("journal:substitutions")),
        (_("Окна исправлений отметок"), reverse("journal:unlock_list")),
        (_("Перевод учащихся и закрытие года"), reverse("journal:promotion")),
    ]
    if user.school_id is not None:  # the year's archive is a school's (issue 13)
        year_items.append((_("Архив"), reverse("archive:index")))
    people_items = [(_("Сотрудники"), reverse("journal:staff_list"))]
    diary_items = [
        (_("События и объявления"), reverse("diary:event_list")),
        (_("Исходящие письма"), reverse("diary:email_outbox")),
    ]
    if can_edit_structure(user) and user.school_id is not None:
        people_items += [
            (_("Добавить сотрудника"), reverse("journal:staff_add")),
            (_("Школа: название, адрес, часовой пояс"), reverse("accounts:school")),
        ]
    if can_edit_structure(user):
        people_items += [
            (_("Загрузка списков"), reverse("journal:import_upload")),
            (_("Коды входа сотрудников"), reverse("journal:staff_credentials")),
        ]
    items = [
        (_("Классы"), reverse("journal:class_list")),
        (_("Расписание"), reverse("journal:timetable_index")),
        (_("Учебный год"), year_items),
        (_("Люди"), people_items),
        (
            _("Отчёты"),
            [
                (_("Все отчёты"), reverse("reports:index")),
                (_("Контроль ведения журнала"), reverse("reports:audit")),
                (_("Справки по итогам проверки"), reverse("reports:audit-statements")),
                (_("Еженедельные замечания"), reverse("reports:audit-remarks")),
            ],
        ),
        (_("Дневник"), diary_items),
    ]
    return items


class _MenuUser:
    """What the menu's items depend on, and nothing else: a hashable key for ``_menu``."""

    __slots__ = ("is_management", "is_platform_operator", "pk", "role", "school_id")

    def __init__(self, role: str, management: bool, operator: bool, school_id: int | None, pk: int | None):
        self.role, self.is_management, self.is_platform_operator = role, management, operator
        self.school_id, self.pk = school_id, pk


@lru_cache(maxsize=4096)
def _menu(
    role: str, management: bool, operator: bool, has_school: bool, led: int | None, pk: int | None, *_context
) -> list[dict]:
    """The menu's items (``_context``: the language and the script prefix, which reverse and gettext read)."""
    user = _MenuUser(role, management, operator, 0 if has_school else None, pk)
    items: list = [(_("Главная"), reverse("home"))]
    if is_school_management(user):
        items += _management_items(user)
    elif role == Role.TEACHER:
        items.append((_("Мои классы и предметы"), reverse("journal:assignment_list")))
        items.append((_("Моё расписание"), reverse("journal:timetable_teacher", args=[pk])))
        if led is not None:
            items.append(
                (
                    _("Мой класс"),
                    [
                        (_("Класс и учащиеся"), reverse("journal:class_detail", args=[led])),
                        (_("Пропуски за неделю"), reverse("journal:absences", args=[led])),
                        (_("Личные карточки"), reverse("journal:class_cards", args=[led])),
                        (_("События и объявления"), reverse("diary:event_list")),
                        (_("Сообщение всему классу"), reverse("messaging:broadcast")),
                        (_("Бумажные дневники"), reverse("diary:paper", args=[led])),
                        (_("Контроль ведения журнала"), reverse("reports:audit")),
                    ],
                )
            )
        items.append(
            (
                _("Отчёты"),
                [
                    (_("Отчёты"), reverse("reports:index")),
                    (_("Мои справки по итогам проверки"), reverse("reports:audit-statements")),
                    (_("Мои замечания по журналу"), reverse("reports:audit-remarks")),
                ],
            )
        )
        items.append((_("Учебный год"), reverse("journal:year_detail")))
    else:
        if role in (Role.PUPIL, Role.PARENT):
            items.append((_("Дневник"), reverse("diary:home")))
        items.append((_("Учебный год"), reverse("journal:year_detail")))
    return [_entry(label, target) for label, target in items]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_unread": 0}
    management = is_school_management(user)
    teacher = not management and user.role == Role.TEACHER
    led, unread = menu_facts(user, leads_class=teacher)
    items = _menu(
        user.role,
        user.is_management,
        user.is_platform_operator,
        user.school_id is not None,
        led,
        user.pk if teacher else None,
        get_language(),
        get_script_prefix(),
    )
    # «Сообщения» with the unread count sits beside the user's menu (base.html), as the Django admin sits in it.
    return {"nav_items": items, "nav_unread": unread}


def _entry(label: str, target) -> dict:
    if isinstance(target, str):
        return {"label": label, "url": target}
    return {"label": label, "children": [{"label": sub, "url": url} for sub, url in target]}
