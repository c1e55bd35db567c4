from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from ..choices import MANAGEMENT_ROLES, STAFF_ROLES, InfoForm, ParentKind, Role, Sex
from .schools import School


class User(AbstractUser):
    """A person with a login: staff, pupil or parent, always of one school (but for the platform operator)."""

    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    phone = models.CharField(_("телефон"), max_length=32, blank=True)
    role = models.CharField(_("роль"), max_length=16, choices=Role.choices, db_index=True)
    school = models.ForeignKey(
        School, verbose_name=_("школа"), on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        ordering = ["last_name", "first_name", "middle_name"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)

    @property
    def short_name(self) -> str:
        """«Иванова А. П.», as names are written in a journal."""
        initials = "".join(f"{part[0]}. " for part in (self.first_name, self.middle_name) if part).strip()
        return f"{self.last_name} {initials}".strip() or self.username

    @property
    def is_platform_operator(self) -> bool:
        """The operator of the whole installation: a Django superuser with no school (``createsuperuser``).

        The one place this rule is written: the operator passes every school's checks, a school's own
        administrator never does.
        """
        return self.is_superuser and self.school_id is None

    @property
    def is_management(self) -> bool:
        return self.role in MANAGEMENT_ROLES

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_school_admin(self) -> bool:
        return self.role == Role.ADMIN


class PupilProfile(models.Model):
    """The pupil's personal data beside the login."""

    user = models.OneToOneField(User, verbose_name=_("пользователь"), on_delete=models.PROTECT, related_name="pupil")
    date_of_birth = models.DateField(_("дата рождения"), null=True, blank=True)
    sex = models.CharField(_("пол"), max_length=1, choices=Sex.choices, blank=True)
    address = models.CharField(_("адрес проживания"), max_length=300, blank=True)
    notes = models.TextField(_("примечания"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("учащийся")
        verbose_name_plural = _("учащиеся")
        ordering = ["user__last_name", "user__first_name", "user__middle_name"]
        permissions = [("view_pupil_diary", _("Просмотр дневника учащегося"))]

    def __str__(self) -> str:
        return self.user.full_name


class ParentProfile(models.Model):
    """A parent or other legal representative (законный представитель)."""

    user = models.OneToOneField(User, verbose_name=_("пользователь"), on_delete=models.PROTECT, related_name="parent")
    children = models.ManyToManyField(
        PupilProfile, through="ParentChild", related_name="parents", verbose_name=_("дети")
    )
    work_place = models.CharField(_("место работы"), max_length=200, blank=True)
    consent_given_on = models.DateField(_("согласие на обработку персональных данных получено"), null=True, blank=True)
    info_form = models.CharField(
        _("форма информирования"), max_length=10, choices=InfoForm.choices, default=InfoForm.ELECTRONIC
    )
    info_form_chosen_on = models.DateField(_("форма информирования выбрана"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("родитель")
        verbose_name_plural = _("родители")
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return self.user.full_name


class ParentChild(models.Model):
    """The link between a parent and a child, with its kind (мать, отец, опекун…)."""

    parent = models.ForeignKey(
        ParentProfile, verbose_name=_("родитель"), on_delete=models.CASCADE, related_name="links"
    )
    pupil = models.ForeignKey(
        PupilProfile, verbose_name=_("учащийся"), on_delete=models.CASCADE, related_name="parent_links"
    )
    kind = models.CharField(_("кем приходится"), max_length=16, choices=ParentKind.choices, default=ParentKind.MOTHER)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("связь родителя и ребёнка")
        verbose_name_plural = _("связи родителей и детей")
        constraints = [models.UniqueConstraint(fields=["parent", "pupil"], name="uniq_parent_child")]

    def __str__(self) -> str:
        return f"{self.parent} — {self.pupil} ({self.get_kind_display()})"


class PupilUserObjectPermission(UserObjectPermissionBase):
    """Direct object permissions on pupils (a parent on each child, a pupil on themself)."""

    content_object = models.ForeignKey(PupilProfile, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("право на учащегося")
        verbose_name_plural = _("права на учащихся")
