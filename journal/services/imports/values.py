"""The values of an import file's cells: names, dates, phones, e-mails, class names, roles and logins.

Plain functions from text to a value (or None when the text is not one); nothing here queries or writes.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.choices import ParentKind, Role, Sex
from journal.choices import GRADES

DATE_FORMAT = "%d.%m.%Y"

NAME_RE = re.compile(r"^[^\W\d_]+(?:[-' ][^\W\d_]+)*$")
DATE_RE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})$")
ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
CLASS_RE = re.compile(r"^(\d{1,2})\s*[-–—]?\s*[«\"„“'”]?\s*([^\W\d_]{1,4})\s*[»\"“”']?(?:\s*класс)?$", re.IGNORECASE)
# Latin letters that look like Cyrillic ones, typed by mistake in class letters.
LOOKALIKES = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")
SEX_VALUES = {
    "м": Sex.MALE,
    "муж": Sex.MALE,
    "мужской": Sex.MALE,
    "m": Sex.MALE,
    "ж": Sex.FEMALE,
    "жен": Sex.FEMALE,
    "женский": Sex.FEMALE,
    "f": Sex.FEMALE,
}
PARENT_KIND_VALUES = {
    "мать": ParentKind.MOTHER,
    "мама": ParentKind.MOTHER,
    "отец": ParentKind.FATHER,
    "папа": ParentKind.FATHER,
    "опекун": ParentKind.GUARDIAN,
    "опекунша": ParentKind.GUARDIAN,
    "попечитель": ParentKind.TRUSTEE,
    "иной законный представитель": ParentKind.OTHER,
    "законный представитель": ParentKind.OTHER,
    "иное": ParentKind.OTHER,
    "другое": ParentKind.OTHER,
    "бабушка": ParentKind.OTHER,
    "дедушка": ParentKind.OTHER,
    "тетя": ParentKind.OTHER,
    "дядя": ParentKind.OTHER,
}
ROLE_PREFIXES = [
    ("заместительдиректора", Role.DEPUTY),
    ("замдиректора", Role.DEPUTY),
    ("завуч", Role.DEPUTY),
    ("учитель", Role.TEACHER),
    ("педагог", Role.TEACHER),
    ("администратор", Role.ADMIN),
]
TRANSLIT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "y",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
    }
)
USERNAME_RE = re.compile(r"^[A-Za-z0-9.@+_-]+$")


def clean_name(text: str) -> str:
    """Collapse spaces; fix names typed all in lower or upper case («иванов» → «Иванов»)."""
    text = " ".join(text.split())
    if text and (text.islower() or text.isupper()):
        text = " ".join("-".join(part.capitalize() for part in word.split("-")) for word in text.split())
    return text


def name_key(*parts: str) -> tuple[str, ...]:
    return tuple(part.lower().replace("ё", "е") for part in parts)


def full_name(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def parse_date(text: str) -> dt.date | None:
    """ДД.ММ.ГГГГ (also with / or -) or ISO; None when it is not a real date."""
    text = text.strip().split(" ")[0]
    match = DATE_RE.match(text)
    try:
        if match:
            day, month, year = (int(group) for group in match.groups())
            if year < 1000:
                return None  # a two-digit year is a guess we do not make
            return dt.date(year, month, day)
        match = ISO_DATE_RE.match(text)
        if match:
            year, month, day = (int(group) for group in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


def date_problem(text: str) -> str:
    """Why ``parse_date`` gave None, in Russian: a day that does not exist (31.02.2013), or not a date at all."""
    text = text.strip().split(" ")[0]
    if DATE_RE.match(text) or ISO_DATE_RE.match(text):
        match = DATE_RE.match(text)
        if match and int(match.group(3)) < 1000:
            return _("год нужен четырьмя цифрами: ДД.ММ.ГГГГ")
        return _("такой даты нет")
    return _("нужна дата вида ДД.ММ.ГГГГ")


def normalize_phone(text: str) -> str | None:
    """A Russian number as «+7 912 345-67-89»; another plausible number as typed; None for something else."""
    text = " ".join(text.split())
    if not text:
        return ""
    if re.search(r"[^\d\s()+\-.]", text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    elif not (len(digits) == 10 and digits[0] == "9"):
        return text if 5 <= len(digits) <= 15 else None
    return f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}"


def phone_key(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[-10:]


def is_valid_email(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


def parse_class_name(text: str) -> tuple[int, str] | None:
    match = CLASS_RE.match(" ".join(text.split()))
    if not match:
        return None
    grade, letter = int(match.group(1)), match.group(2).upper().translate(LOOKALIKES)
    if grade not in GRADES:
        return None
    return grade, letter


def parse_role(text: str) -> str | None:
    normalized = re.sub(r"[^а-я]", "", text.lower().replace("ё", "е"))
    if normalized == "директор":
        return Role.DIRECTOR
    for prefix, role in ROLE_PREFIXES:
        if normalized.startswith(prefix):
            return role
    return None


def login_base(last_name: str, first_name: str, middle_name: str) -> str:
    """«Иванов Алексей Петрович» → ivanov.ap (Russian letters transliterated, others dropped)."""

    def latin(text: str) -> str:
        return re.sub(r"[^a-z0-9-]", "", text.lower().translate(TRANSLIT)).strip("-")

    initials = "".join(latin(part)[:1] for part in (first_name, middle_name) if part)
    surname = latin(last_name)[:30] or "user"
    return f"{surname}.{initials}" if initials else surname
