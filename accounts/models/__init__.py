"""Identity: schools, users and their roles, pupils' and parents' profiles, parent–child links, activation codes."""

from .activation import ActivationCode
from .schools import TIME_ZONE_CHOICES, School
from .users import ParentChild, ParentProfile, PupilProfile, PupilUserObjectPermission, User

__all__ = [
    "TIME_ZONE_CHOICES",
    "ActivationCode",
    "ParentChild",
    "ParentProfile",
    "PupilProfile",
    "PupilUserObjectPermission",
    "School",
    "User",
]
