"""Checking the rows of an import file: pupils with their parents, and staff.

Nothing here writes. ``check_rows`` checks every row (read by journal.services.imports.table) against the school
as it is now and plans what applying the file would create: logins, classes, which parents already exist.
journal.services.imports.apply stores the result and applies it.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import CharField, Func, Value
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts.choices import STAFF_ROLES, ParentKind, Role, Sex
from accounts.models import ParentProfile, PupilProfile, School, User
from journal.choices import ImportKind, YearStatus
from journal.models import SchoolClass, SchoolYear
from journal.selectors import current_year

from .values import (
    DATE_FORMAT,
    NAME_RE,
    PARENT_KIND_VALUES,
    SEX_VALUES,
    USERNAME_RE,
    clean_name,
    date_problem,
    full_name,
    is_valid_email,
    login_base,
    name_key,
    normalize_phone,
    parse_class_name,
    parse_date,
    parse_role,
    phone_key,
)

PARENT_SLOTS = (1, 2)


@dataclass
class PersonPlan:
    """A user to create (or, for a parent, to reuse) when the file is applied."""

    last_name: str
    first_name: str
    middle_name: str = ""
    email: str = ""
    phone: str = ""
    username: str = ""

    @property
    def full_name(self) -> str:
        return full_name(self.last_name, self.first_name, self.middle_name)


@dataclass
class ParentPlan(PersonPlan):
    slot: int = 1
    kind: str = ""
    existing: ParentProfile | None = None  # a parent already at the school: linked, not created
    same_as: str = ""  # "line:slot" of the row that creates this parent earlier in the file


@dataclass
class PupilPlan(PersonPlan):
    date_of_birth: dt.date | None = None
    sex: str = ""
    school_class: SchoolClass | None = None
    date_from: dt.date | None = None
    parents: list[ParentPlan] = field(default_factory=list)


@dataclass
class StaffPlan(PersonPlan):
    role: str = ""


@dataclass
class RowCheck:
    """One data row of the file: what it says, its problems, and what applying it would do."""

    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plan: PupilPlan | StaffPlan | None = None
    preview: dict = field(default_factory=dict)

    def stored(self) -> dict:
        """The row as ImportJob.rows keeps it: the raw values and a preview of what will be created."""
        return {"line": self.line, "values": self.values, "preview": self.preview, "notes": self.notes}


def preview_of(plan: PupilPlan | StaffPlan | None) -> dict:
    if plan is None:
        return {}
    preview = {"name": plan.full_name, "username": plan.username, "email": plan.email, "phone": plan.phone}
    if isinstance(plan, StaffPlan):
        preview["role"] = str(Role(plan.role).label) if plan.role else ""
        return preview
    preview.update(
        date_of_birth=plan.date_of_birth.strftime(DATE_FORMAT) if plan.date_of_birth else "",
        sex=str(Sex(plan.sex).label) if plan.sex else "",
        school_class=str(plan.school_class) if plan.school_class else "",
        date_from=plan.date_from.strftime(DATE_FORMAT) if plan.date_from else "",
        parents=[
            {
                "name": parent.full_name,
                "kind": str(ParentKind(parent.kind).label) if parent.kind else "",
                "phone": parent.phone,
                "email": parent.email,
                "username": parent.existing.user.username if parent.existing else parent.username,
                "existing": parent.existing is not None,
                "slot": parent.slot,
                "same_as": parent.same_as.split(":")[0] if parent.same_as else "",
            }
            for parent in plan.parents
        ],
    )
    return preview


def check_rows(*, kind: str, school: School, rows: list[dict], today: dt.date) -> list[RowCheck]:
    """Check every row; plans are made only for rows without problems. A problem of the whole file raises."""
    checks = [RowCheck(line=row["line"], values=dict(row["values"])) for row in rows]
    if kind == ImportKind.PUPILS:
        _check_pupils(school, checks, today)
    elif kind == ImportKind.STAFF:
        _check_staff(school, checks)
    else:
        raise ValidationError(_("Неизвестный вид списка."))
    for check in checks:
        check.preview = preview_of(check.plan)  # shown for every row, also one with problems
        if check.errors:
            check.plan = None
    return checks


def import_year(school: School, today: dt.date) -> SchoolYear:
    """The year pupils are enrolled into: the current one, which must exist and be open for changes."""
    year = current_year(school, today)
    if year is None:
        raise ValidationError(_("В школе ещё не создан учебный год: сначала создайте год и классы."))
    if year.status == YearStatus.CLOSED:
        raise ValidationError(_("Учебный год %(year)s закрыт: зачислять в него нельзя.") % {"year": year.name})
    return year


def _text(check: RowCheck, key: str) -> str:
    return " ".join((check.values.get(key) or "").split())


def _names(check: RowCheck) -> tuple[str, str, str]:
    labels = {"last_name": _("Фамилия"), "first_name": _("Имя"), "middle_name": _("Отчество")}
    missing = {"last_name": _("Не указана фамилия."), "first_name": _("Не указано имя.")}
    result = []
    for key, label in labels.items():
        value = clean_name(_text(check, key))
        if not value and key in missing:
            check.errors.append(missing[key])
        elif value and not NAME_RE.match(value):
            check.errors.append(
                _("%(label)s «%(value)s» содержит недопустимые символы.") % {"label": label, "value": value}
            )
        elif len(value) > 150:
            check.errors.append(_("%(label)s длиннее 150 символов.") % {"label": label})
        result.append(value)
    return result[0], result[1], result[2]


def _email(check: RowCheck, key: str, prefix: str = "") -> str:
    email = _text(check, key)
    if email and not is_valid_email(email):
        check.errors.append(prefix + _("неверный e-mail «%(value)s».") % {"value": email})
        return ""
    return email


def _phone(check: RowCheck, key: str, prefix: str = "") -> str:
    raw = _text(check, key)
    phone = normalize_phone(raw)
    if phone is None:
        check.errors.append(prefix + _("неверный номер телефона «%(value)s».") % {"value": raw})
        return ""
    return phone


def _check_pupils(school: School, checks: list[RowCheck], today: dt.date) -> None:
    year = import_year(school, today)
    classes = {
        (c.grade, c.letter.upper()): c for c in SchoolClass.objects.filter(year=year).select_related("year__school")
    }
    default_from = min(max(today, year.start_date), year.end_date)
    plans: list[tuple[RowCheck, PupilPlan]] = []
    for check in checks:
        last, first, middle = _names(check)
        plan = PupilPlan(last_name=last, first_name=first, middle_name=middle)
        plan.date_of_birth = _date_of_birth(check, year)
        plan.sex = _sex(check)
        plan.school_class = _school_class(check, classes, year)
        plan.date_from = _date_from(check, year, default_from)
        plan.parents = [parent for slot in PARENT_SLOTS if (parent := _parent(check, slot)) is not None]
        plans.append((check, plan))
    _flag_duplicate_pupils(school, plans)
    _resolve_parents(school, plans)
    people: list[tuple[RowCheck, PersonPlan, str]] = []
    for check, plan in plans:
        people.append((check, plan, _text(check, "username")))
        people.extend((check, parent, "") for parent in plan.parents if parent.existing is None and not parent.same_as)
    _assign_logins(people)
    _share_parent_logins(plans)
    for check, plan in plans:
        check.plan = plan


def _date_of_birth(check: RowCheck, year: SchoolYear) -> dt.date | None:
    raw = _text(check, "date_of_birth")
    if not raw:
        check.errors.append(_("Не указана дата рождения."))
        return None
    born = parse_date(raw)
    if born is None:
        check.errors.append(
            _("Неверная дата рождения «%(value)s»: %(problem)s.") % {"value": raw, "problem": date_problem(raw)}
        )
        return None
    age = year.start_date.year - born.year
    if not 4 <= age <= 25:
        check.errors.append(
            _("Дата рождения %(date)s не похожа на дату рождения учащегося: проверьте год.")
            % {"date": born.strftime(DATE_FORMAT)}
        )
    return born


def _sex(check: RowCheck) -> str:
    raw = _text(check, "sex")
    if not raw:
        return ""
    sex = SEX_VALUES.get(raw.lower().rstrip("."))
    if sex is None:
        check.errors.append(_("Неверно указан пол «%(value)s»: нужно «м» или «ж».") % {"value": raw})
        return ""
    return sex


def _school_class(check: RowCheck, classes: dict, year: SchoolYear) -> SchoolClass | None:
    raw = _text(check, "class_name")
    if not raw:
        check.errors.append(_("Не указан класс."))
        return None
    parsed = parse_class_name(raw)
    if parsed is None:
        check.errors.append(_("Не удалось понять класс «%(value)s»: пишите, например, 5А или 5 «А».") % {"value": raw})
        return None
    school_class = classes.get(parsed)
    if school_class is None:
        check.errors.append(
            _("Класса %(grade)s «%(letter)s» нет в учебном году %(year)s.")
            % {"grade": parsed[0], "letter": parsed[1], "year": year.name}
        )
    return school_class


def _date_from(check: RowCheck, year: SchoolYear, default: dt.date) -> dt.date | None:
    raw = _text(check, "date_from")
    if not raw:
        return default
    date_from = parse_date(raw)
    if date_from is None:
        check.errors.append(
            _("Неверная дата зачисления «%(value)s»: %(problem)s.") % {"value": raw, "problem": date_problem(raw)}
        )
        return None
    if not year.start_date <= date_from <= year.end_date:
        check.errors.append(
            _("Дата зачисления %(date)s вне учебного года %(year)s (%(start)s–%(end)s).")
            % {
                "date": date_from.strftime(DATE_FORMAT),
                "year": year.name,
                "start": year.start_date.strftime(DATE_FORMAT),
                "end": year.end_date.strftime(DATE_FORMAT),
            }
        )
    return date_from


def _parent(check: RowCheck, slot: int) -> ParentPlan | None:
    prefix = _("Родитель %(n)s: ") % {"n": slot}
    keys = [f"parent{slot}_{part}" for part in ("name", "kind", "phone", "email")]
    if not any(_text(check, key) for key in keys):
        return None
    raw_name = clean_name(_text(check, keys[0]))
    parts = raw_name.split(" ")
    plan = ParentPlan(last_name="", first_name="", slot=slot)
    if not raw_name:
        check.errors.append(prefix + _("не указаны ФИО."))
    elif len(parts) < 2:
        check.errors.append(
            prefix + _("укажите фамилию и имя (и отчество), а не только «%(value)s».") % {"value": raw_name}
        )
    elif not all(NAME_RE.match(part) for part in parts):
        check.errors.append(prefix + _("ФИО «%(value)s» содержат недопустимые символы.") % {"value": raw_name})
    else:
        plan.last_name, plan.first_name, plan.middle_name = parts[0], parts[1], " ".join(parts[2:])
    raw_kind = _text(check, keys[1])
    kind = PARENT_KIND_VALUES.get(raw_kind.lower().replace("ё", "е"))
    if not raw_kind:
        check.errors.append(prefix + _("не указано, кем приходится (мать, отец, опекун, попечитель)."))
    elif kind is None:
        check.errors.append(
            prefix
            + _(
                "неизвестно, кто это — «%(value)s»: укажите мать, отец, опекун, попечитель или иной законный представитель."
            )
            % {"value": raw_kind}
        )
    else:
        plan.kind = kind
    plan.phone = _phone(check, keys[2], prefix)
    plan.email = _email(check, keys[3], prefix)
    return plan


def _flag_duplicate_pupils(school: School, plans: list[tuple[RowCheck, PupilPlan]]) -> None:
    births = {plan.date_of_birth for _check, plan in plans if plan.date_of_birth}
    existing = {}
    for pupil in PupilProfile.objects.filter(user__school=school, date_of_birth__in=births).select_related("user"):
        user = pupil.user
        existing[(*name_key(user.last_name, user.first_name, user.middle_name), pupil.date_of_birth)] = user
    seen: dict[tuple, int] = {}
    for check, plan in plans:
        if not (plan.last_name and plan.first_name and plan.date_of_birth):
            continue
        key = (*name_key(plan.last_name, plan.first_name, plan.middle_name), plan.date_of_birth)
        if key in seen:
            check.errors.append(
                _("Строка повторяет строку %(line)s (те же ФИО и дата рождения).") % {"line": seen[key]}
            )
        else:
            seen[key] = check.line
        if key in existing:
            check.errors.append(
                _("Учащийся %(name)s, %(date)s г. р., уже есть в школе (логин %(username)s).")
                % {
                    "name": plan.full_name,
                    "date": plan.date_of_birth.strftime(DATE_FORMAT),
                    "username": existing[key].username,
                }
            )


def _resolve_parents(school: School, plans: list[tuple[RowCheck, PupilPlan]]) -> None:
    """A parent already at the school (same ФИО and phone or e-mail) is reused; so is one met earlier in the file."""
    at_school: dict[tuple, list[ParentProfile]] = defaultdict(list)
    for parent in ParentProfile.objects.filter(user__school=school).select_related("user"):
        user = parent.user
        at_school[name_key(user.last_name, user.first_name, user.middle_name)].append(parent)
    in_file: dict[tuple, list[tuple[ParentPlan, int]]] = defaultdict(list)
    for check, plan in plans:
        for parent in plan.parents:
            if not parent.last_name:
                continue
            key = name_key(parent.last_name, parent.first_name, parent.middle_name)
            match = next((p for p in at_school.get(key, []) if _same_contacts(parent, p.user)), None)
            if match is not None:
                parent.existing = match
                check.notes.append(
                    _("Родитель %(n)s уже есть в школе (логин %(username)s): будет связан с ребёнком.")
                    % {"n": parent.slot, "username": match.user.username}
                )
                continue
            earlier = next((p for p in in_file.get(key, []) if _same_person_in_file(parent, p[0])), None)
            if earlier is not None:
                parent.same_as = f"{earlier[1]}:{earlier[0].slot}"
                check.notes.append(
                    _("Родитель %(n)s — тот же, что в строке %(line)s.") % {"n": parent.slot, "line": earlier[1]}
                )
                continue
            in_file[key].append((parent, check.line))
            if key in at_school:
                check.notes.append(
                    _("В школе уже есть родитель %(name)s с другими контактами: будет создан ещё один.")
                    % {"name": parent.full_name}
                )
        if len(plan.parents) == 2 and plan.parents[0].last_name and _same_parent(*plan.parents):
            check.errors.append(_("Родитель 1 и родитель 2 — один и тот же человек."))


def _same_contacts(plan: ParentPlan, user: User) -> bool:
    if plan.phone and user.phone and phone_key(plan.phone) == phone_key(user.phone):
        return True
    return bool(plan.email and user.email and plan.email.lower() == user.email.lower())


def _same_person_in_file(plan: ParentPlan, other: ParentPlan) -> bool:
    if not (plan.phone or plan.email or other.phone or other.email):
        return True  # the same name and no contacts at all: the same person written twice
    if plan.phone and other.phone and phone_key(plan.phone) == phone_key(other.phone):
        return True
    return bool(plan.email and other.email and plan.email.lower() == other.email.lower())


def _same_parent(first: ParentPlan, second: ParentPlan) -> bool:
    if first.existing is not None and first.existing == second.existing:
        return True
    if name_key(first.last_name, first.first_name, first.middle_name) != name_key(
        second.last_name, second.first_name, second.middle_name
    ):
        return False
    return first.existing is None and second.existing is None and _same_person_in_file(first, second)


def _share_parent_logins(plans: list[tuple[RowCheck, PupilPlan]]) -> None:
    created = {f"{check.line}:{parent.slot}": parent for check, plan in plans for parent in plan.parents}
    for _check, plan in plans:
        for parent in plan.parents:
            if parent.same_as and parent.same_as in created:
                parent.username = created[parent.same_as].username


def _check_staff(school: School, checks: list[RowCheck]) -> None:
    existing = {
        name_key(user.last_name, user.first_name, user.middle_name): user
        for user in User.objects.filter(school=school, role__in=STAFF_ROLES)
    }
    seen: dict[tuple, int] = {}
    people = []
    for check in checks:
        last, first, middle = _names(check)
        plan = StaffPlan(last_name=last, first_name=first, middle_name=middle)
        raw_role = _text(check, "role")
        role = parse_role(raw_role)
        if not raw_role:
            check.errors.append(_("Не указана должность."))
        elif role is None:
            check.errors.append(
                _(
                    "Неизвестная должность «%(value)s»: укажите учитель, заместитель директора, директор или администратор."
                )
                % {"value": raw_role}
            )
        else:
            plan.role = role
        plan.email = _email(check, "email")
        plan.phone = _phone(check, "phone")
        if last and first:
            key = name_key(last, first, middle)
            if key in seen:
                check.errors.append(_("Строка повторяет строку %(line)s (те же ФИО).") % {"line": seen[key]})
            else:
                seen[key] = check.line
            if key in existing:
                check.errors.append(
                    _("Сотрудник %(name)s уже есть в школе (логин %(username)s).")
                    % {"name": plan.full_name, "username": existing[key].username}
                )
        people.append((check, plan, _text(check, "username")))
        check.plan = plan
    _assign_logins(people)


def _assign_logins(people: list[tuple[RowCheck, PersonPlan, str]]) -> None:
    """Logins given in the file are checked; the others are made from names, unique in the database and the file."""
    given = {login.lower() for _check, _plan, login in people if login}
    taken_given = set(
        User.objects.annotate(lower_name=Lower("username"))
        .filter(lower_name__in=given)
        .values_list("lower_name", flat=True)
    )
    reserved: dict[str, int] = {}
    for check, plan, login in people:
        if not login:
            continue
        if not USERNAME_RE.match(login) or len(login) > 150:
            check.errors.append(
                _("Логин «%(value)s» может содержать только латинские буквы, цифры и символы . @ + - _")
                % {"value": login}
            )
        elif login.lower() in taken_given:
            check.errors.append(_("Логин «%(value)s» уже занят.") % {"value": login})
        elif login.lower() in reserved:
            check.errors.append(
                _("Логин «%(value)s» уже указан в строке %(line)s.") % {"value": login, "line": reserved[login.lower()]}
            )
        else:
            reserved[login.lower()] = check.line
        plan.username = login
    wanted = [
        (plan, login_base(plan.last_name, plan.first_name, plan.middle_name))
        for _check, plan, login in people
        if not login and plan.last_name
    ]
    taken = _taken_logins({base for _plan, base in wanted}) | set(reserved)
    for plan, base in wanted:
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}{number}"
        taken.add(candidate)
        plan.username = candidate


def _taken_logins(bases: Iterable[str]) -> set[str]:
    """The logins (lower case) already in the database of the form base or base + digits, in one query.

    A base never ends in a digit (names have none), so trimming the digits off the end of a login
    gives its base: a single IN over the whole file, instead of a LIKE per base.
    """
    bases = set(bases)
    if not bases:
        return set()
    stem = Func(Lower("username"), Value("0123456789"), function="RTRIM", output_field=CharField())
    names = User.objects.annotate(login_stem=stem).filter(login_stem__in=bases).values_list("username", flat=True)
    return {name.lower() for name in names}
