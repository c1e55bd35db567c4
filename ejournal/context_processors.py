"""The menu: what the signed-in user's role may do (one query for the unread messages, one for a class teacher).

Each item is (label, url) or (label, [(label, url), ...]) for a drop-down; «Сообщения» carries the unread count.
"""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import can_edit_structure, is_school_management
from accounts.choices import Role
from diary.selectors.messages import unread_total
from journal.selectors import led_class_id


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


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_unread": 0}
    items: list = [(_("Главная"), reverse("home"))]
    if is_school_management(user):
        items += _management_items(user)
    elif user.role == Role.TEACHER:
        items.append((_("Мои классы и предметы"), reverse("journal:assignment_list")))
        items.append((_("Моё расписание"), reverse("journal:timetable_teacher", args=[user.pk])))
        led = led_class_id(user)
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
        if user.role in (Role.PUPIL, Role.PARENT):
            items.append((_("Дневник"), reverse("diary:home")))
        items.append((_("Учебный год"), reverse("journal:year_detail")))
    # «Сообщения» with the unread count sits beside the user's menu (base.html), as the Django admin sits in it.
    return {"nav_items": [_entry(label, target) for label, target in items], "nav_unread": unread_total(user)}


def _entry(label: str, target) -> dict:
    if isinstance(target, str):
        return {"label": label, "url": target}
    return {"label": label, "children": [{"label": sub, "url": url} for sub, url in target]}
