"""Communities (спільноти): a district's schools, or a thematic group the department puts together."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cms.org.models import District, School


class Community(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("District community")
        THEMATIC = "thematic", _("Thematic community")

    name = models.CharField(_("name"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.THEMATIC)
    district = models.OneToOneField(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="community",
        help_text=_("Set for a district community only: every working school of the district is a member."),
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="district", district__isnull=False) | Q(kind="thematic", district__isnull=True),
                name="community_district_iff_district_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One member of a community: a whole school, or one person."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    automatic = models.BooleanField(
        _("automatic"), default=False, help_text=_("Kept in step with the registry; not edited by hand.")
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, user__isnull=True) | Q(school__isnull=True, user__isnull=False),
                name="membership_school_xor_user",
            ),
            models.UniqueConstraint(fields=["community", "school"], name="unique_school_membership"),
            models.UniqueConstraint(fields=["community", "user"], name="unique_user_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.school or self.user} @ {self.community}"
