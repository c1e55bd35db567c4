"""The menu: what the signed-in user's role may do, and «Сообщения» with the unread count (one query for both the
class a teacher leads and the count: diary.selectors.menu.menu_facts).

Each item is (label, url) or (label, [(label, url), ...]) for a drop-down. The items are a function of the role, the
led class and the school (and, for a teacher, the user's own timetable): built once per process for each such
combination (``_menu``), since reversing and translating some 30 labels on every page cost more than the page's
queries. Nothing needs invalidating: a changed role or led class is a different key.

The menu bar's HTML (``navbar``, templates/includes/navbar.html) is rendered once per process for the same key
(``_navbar_parts``), with markers where each request differs: the user's name, the unread badges (rendered once per
count, ``_unread_html``), the logout form's CSRF token and the item of the page shown (``active``,
``aria-current``). A request fills the markers in (``Navbar``), only when base.html shows the bar: rendering the bar
through the template engine on every page cost more than the rest of the page's work (bench/grid.py, the floor).
"""

from functools import lru_cache

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.access import can_edit_structure, is_school_management
from accounts.choices import Role
from accounts.models import User
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
        return {"nav_items": [], "nav_unread": 0, "navbar": ""}
    management = is_school_management(user)
    teacher = not management and user.role == Role.TEACHER
    led, unread = menu_facts(user, leads_class=teacher)
    key = (
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
    return {"nav_items": _menu(*key), "nav_unread": unread, "navbar": Navbar(request, user, key, unread)}


class Navbar:
    """The menu bar of one request: the kind of user's rendered bar (``_navbar_parts``) with its markers filled in.

    Built lazily: a context processor runs for every template rendered with the request (an htmx fragment too),
    and only base.html shows the bar.
    """

    __slots__ = ("key", "request", "unread", "user")

    def __init__(self, request: HttpRequest, user: User, key: tuple, unread: int) -> None:
        self.request, self.user, self.key, self.unread = request, user, key, unread

    def __html__(self) -> SafeString:
        path, unread, language, prefix = self.request.path, self.unread, self.key[-2], self.key[-1]
        slots = {
            "name": conditional_escape(self.user.short_name),
            "csrf": format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(self.request)),
            "unread": _unread_html(unread, False, language, prefix) if unread else "",
            "unread_compact": _unread_html(unread, True, language, prefix) if unread else "",
        }
        html = []
        for part in _navbar_parts(*self.key):
            if isinstance(part, str):
                html.append(part)
            elif part[0] == "slot":
                html.append(slots[part[1]])
            elif part[1] == path:  # the item of the page shown, as `{% if request.path == item.url %}` marked it
                html.append(" active" if part[0] == "active" else ' aria-current="page"')
        return mark_safe("".join(html))  # the template's output and escaped values

    __str__ = __html__


_MARK = "\x00"  # never in a template's output otherwise: the markers' delimiter


def _marker(*what: str) -> SafeString:
    return mark_safe(_MARK + "\x01".join(what) + _MARK)  # a URL from reverse or a slot's name


@lru_cache(maxsize=4096)
def _navbar_parts(*key) -> tuple:
    """The menu bar of a kind of user (``key``: as ``_menu``'s): its HTML cut at the markers, as a tuple of strings
    and ("slot", name), ("active", url) or ("current", url)."""
    role, operator = key[0], key[2]

    def marked(entry: dict) -> dict:
        if "children" in entry:
            return {"label": entry["label"], "children": [marked(child) for child in entry["children"]]}
        url = entry["url"]
        return {**entry, "children": None, "active": _marker("active", url), "current": _marker("current", url)}

    context = {
        "nav_items": [marked(entry) for entry in _menu(*key)],
        "slot": {name: _marker("slot", name) for name in ("name", "csrf", "unread", "unread_compact")},
        "role_label": dict(User._meta.get_field("role").flatchoices).get(role, role),
        "is_platform_operator": operator,
    }
    html = get_template("includes/navbar.html").render(context).strip()
    parts: list = []
    for n, piece in enumerate(html.split(_MARK)):
        parts.append(tuple(piece.split("\x01")) if n % 2 else piece)
    return tuple(parts)


@lru_cache(maxsize=512)
def _unread_html(unread: int, compact: bool, language: str, prefix: str) -> str:
    """One of the unread badges of the menu bar for a count (``language`` and ``prefix`` key the cache)."""
    return get_template("includes/navbar_unread.html").render({"nav_unread": unread, "compact": compact}).strip("\n")


def _entry(label: str, target) -> dict:
    if isinstance(target, str):
        return {"label": label, "url": target}
    return {"label": label, "children": [{"label": sub, "url": url} for sub, url in target]}
