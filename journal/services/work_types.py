"""The school's kinds of work (виды работ) with the weights of their marks in the weighted average."""

from decimal import Decimal

from django.db import transaction

from accounts.models import School

from ..models import WorkType

ORAL_ANSWER = "устный ответ"

# (name, short name, weight, is_control, allows_absent): what a school starts with; the admin changes weights later.
DEFAULT_WORK_TYPES: list[tuple[str, str, Decimal, bool, bool]] = [
    (ORAL_ANSWER, "уст", Decimal("1"), False, False),
    ("домашняя работа", "д/з", Decimal("1"), False, True),
    ("самостоятельная работа", "с/р", Decimal("1.5"), False, False),
    ("тест", "тест", Decimal("1.5"), False, False),
    ("практическая работа", "п/р", Decimal("1.5"), False, False),
    ("лабораторная работа", "л/р", Decimal("1.5"), False, False),
    ("контрольная работа", "к/р", Decimal("2"), True, False),
    ("диктант", "дикт", Decimal("2"), True, False),
    ("сочинение", "соч", Decimal("2"), True, False),
    ("изложение", "изл", Decimal("2"), True, False),
    ("проект", "проект", Decimal("1.5"), False, False),
]


@transaction.atomic
def work_types_ensure(school: School) -> list[WorkType]:
    """The school's kinds of work, creating the default ones first if the school has none (idempotent).

    Called when a school is created and by the demo seed; mark_set calls it too, so a school that skipped both
    still gets «устный ответ» for its first mark. A school that already has kinds of work keeps them untouched.
    Two calls at once cannot duplicate a kind: (school, name) is unique and the insert ignores conflicts.
    """
    if not WorkType.objects.filter(school=school).exists():
        WorkType.objects.bulk_create(
            [
                WorkType(
                    school=school,
                    name=name,
                    short_name=short_name,
                    weight=weight,
                    is_control=is_control,
                    allows_absent=allows_absent,
                    order=order * 10,
                )
                for order, (name, short_name, weight, is_control, allows_absent) in enumerate(
                    DEFAULT_WORK_TYPES, start=1
                )
            ],
            ignore_conflicts=True,
        )
    return list(WorkType.objects.filter(school=school).order_by("order", "name"))
