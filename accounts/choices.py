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
