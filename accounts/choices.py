import datetime as dt
import zoneinfo

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Администратор")
    DIRECTOR = "director", _("Директор")
    DEPUTY = "deputy", _("Заместитель директора по УВР")
    TEACHER = "teacher", _("Учитель")
    PUPIL = "pupil", _("Учащийся")
    PARENT = "parent", _("Родитель")


MANAGEMENT_ROLES = frozenset({Role.ADMIN, Role.DIRECTOR, Role.DEPUTY})
STAFF_ROLES = MANAGEMENT_ROLES | {Role.TEACHER}


class Sex(models.TextChoices):
    MALE = "m", _("мужской")
    FEMALE = "f", _("женский")


class ParentKind(models.TextChoices):
    MOTHER = "mother", _("мать")
    FATHER = "father", _("отец")
    GUARDIAN = "guardian", _("опекун")
    TRUSTEE = "trustee", _("попечитель")
    OTHER = "other", _("иной законный представитель")


class InfoForm(models.TextChoices):
    ELECTRONIC = "electronic", _("электронная (дневник)")
    PAPER = "paper", _("бумажная (распечатка дневника)")


# Russia's time zones (IANA name -> the city and the zone's Russian name), for a school's settings and for showing
# a school's time to its users in Russian rather than as «Europe/Moscow».
RUSSIAN_TIME_ZONES: dict[str, tuple[str, str]] = {
    "Europe/Kaliningrad": ("Калининград", "калининградское время"),
    "Europe/Moscow": ("Москва", "московское время"),
    "Europe/Samara": ("Самара", "самарское время"),
    "Asia/Yekaterinburg": ("Екатеринбург", "екатеринбургское время"),
    "Asia/Omsk": ("Омск", "омское время"),
    "Asia/Novosibirsk": ("Новосибирск", "новосибирское время"),
    "Asia/Krasnoyarsk": ("Красноярск", "красноярское время"),
    "Asia/Irkutsk": ("Иркутск", "иркутское время"),
    "Asia/Yakutsk": ("Якутск", "якутское время"),
    "Asia/Vladivostok": ("Владивосток", "владивостокское время"),
    "Asia/Magadan": ("Магадан", "магаданское время"),
    "Asia/Kamchatka": ("Петропавловск-Камчатский", "камчатское время"),
}
# Other IANA names of Russia's regions, shown by the zone they keep: Volgograd keeps Moscow time, Tomsk Krasnoyarsk's.
RUSSIAN_TIME_ZONE_ALIASES: dict[str, tuple[str, str]] = {
    "Europe/Simferopol": ("Симферополь", "московское время"),
    "Europe/Volgograd": ("Волгоград", "московское время"),
    "Europe/Kirov": ("Киров", "московское время"),
    "Europe/Astrakhan": ("Астрахань", "самарское время"),
    "Europe/Saratov": ("Саратов", "самарское время"),
    "Europe/Ulyanovsk": ("Ульяновск", "самарское время"),
    "Asia/Barnaul": ("Барнаул", "красноярское время"),
    "Asia/Tomsk": ("Томск", "красноярское время"),
    "Asia/Novokuznetsk": ("Новокузнецк", "красноярское время"),
    "Asia/Chita": ("Чита", "якутское время"),
    "Asia/Khandyga": ("Хандыга", "якутское время"),
    "Asia/Ust-Nera": ("Усть-Нера", "владивостокское время"),
    "Asia/Sakhalin": ("Южно-Сахалинск", "магаданское время"),
    "Asia/Srednekolymsk": ("Среднеколымск", "магаданское время"),
    "Asia/Anadyr": ("Анадырь", "камчатское время"),
}


def utc_minutes(time_zone: str) -> int:
    try:
        offset = dt.datetime.now(zoneinfo.ZoneInfo(time_zone)).utcoffset() or dt.timedelta(0)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds() // 60)


def utc_offset_label(time_zone: str) -> str:
    """«UTC+3» for the zone now (half hours as «UTC+5:30»)."""
    try:
        offset = dt.datetime.now(zoneinfo.ZoneInfo(time_zone)).utcoffset() or dt.timedelta(0)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def time_zone_label(time_zone: str) -> str:
    """A school's time as its users read it: «московское время (UTC+3)»; another zone as «UTC+5»."""
    names = RUSSIAN_TIME_ZONES.get(time_zone) or RUSSIAN_TIME_ZONE_ALIASES.get(time_zone)
    offset = utc_offset_label(time_zone)
    return f"{names[1]} ({offset})" if names else offset


def time_zone_choices(current: str = "") -> list[tuple[str, str]]:
    """Russia's zones by offset, labelled in Russian; a school's current zone outside them is kept as it is."""
    zones = {**RUSSIAN_TIME_ZONES, **RUSSIAN_TIME_ZONE_ALIASES}
    choices = [(name, f"{city} — {time_zone_label(name)}") for name, (city, _zone) in zones.items()]
    choices.sort(key=lambda choice: (utc_minutes(choice[0]), choice[1]))
    if current and current not in zones:
        choices.append((current, f"{current} ({utc_offset_label(current)})"))
    return choices
