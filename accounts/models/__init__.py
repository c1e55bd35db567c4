"""Identity: schools, users and their roles, pupils' and parents' profiles, parent–child links, activation codes."""

from .activation import ActivationCode
from .activity import LoginRecord, UserVisit
from .schools import TIME_ZONE_CHOICES, School
from .users import ParentChild, ParentProfile, PupilProfile, PupilUserObjectPermission, User

__all__ = [
    "TIME_ZONE_CHOICES",
    "ActivationCode",
    "LoginRecord",
    "ParentChild",
    "ParentProfile",
    "PupilProfile",
    "PupilUserObjectPermission",
    "School",
    "User",
    "UserVisit",
]
