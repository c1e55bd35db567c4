"""Writes on a school's own record: its names, address and time zone (the school's admin, in the application)."""

from django.db import transaction

from ..models import School, User
from .users import ensure_school_admin


@transaction.atomic
def school_update(*, actor: User, school: School, name: str, short_name: str, address: str, time_zone: str) -> School:
    """The school's full and short names, address and time zone; the time zone sets the school's «today» (the edit
    lock, quiet hours, every date shown), so it is a choice of the school's admin."""
    ensure_school_admin(actor, school)
    school.name, school.short_name, school.address, school.time_zone = (
        name.strip(),
        short_name.strip(),
        address.strip(),
        time_zone,
    )
    school.full_clean()
    school.save(update_fields=["name", "short_name", "address", "time_zone"])
    return school
