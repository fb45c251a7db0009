"""Portal users: each tied to an organisation unit (city, district or school) through its role."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.org.models import District, Level, School

from .roles import ROLE_LEVEL, Role


class User(AbstractUser):
    """A person or a unit's shared account.

    Unit accounts (one scheme for all: ``school-<ЄДЕБО code>``, ``ruo-<district>``, ``don``) stand for a
    whole unit; personal accounts name a person of that unit so the audit log names who did what.
    """

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    is_unit_account = models.BooleanField(_("unit account"), default=False)
    must_change_password = models.BooleanField(_("must change password at next sign-in"), default=False)
    position = models.CharField(_("position"), max_length=200, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def level(self) -> str | None:
        return ROLE_LEVEL.get(self.role)

    def clean(self) -> None:
        super().clean()
        level = self.level
        if level == Level.SCHOOL and (self.school_id is None or self.district_id is not None):
            raise ValidationError({"school": _("A school role needs a school and no district.")})
        if level == Level.DISTRICT and (self.district_id is None or self.school_id is not None):
            raise ValidationError({"district": _("A district office role needs a district and no school.")})
        if level in (Level.CITY, None) and (self.school_id or self.district_id):
            raise ValidationError(_("A city or site role is not tied to a district or school."))

    @property
    def unit_label(self) -> str:
        if self.school_id:
            return str(self.school)
        if self.district_id:
            return str(self.district)
        if self.level == Level.CITY:
            return str(_("Department of Education and Science"))
        return ""


class UserSession(models.Model):
    """Which server-side sessions belong to a user, so they can all be ended at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="portal_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d %H:%M})"
