"""Kyiv's organisation: the city, its 10 districts and their schools (from the ЄДЕБО registry)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The level of an organisation unit: the scope of everything that belongs to it."""

    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    SCHOOL = "school", _("School")


class District(models.Model):
    """One of Kyiv's 10 administrative districts and its education office (РУО)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("name in English"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    katottg = models.CharField(_("KATOTTG code"), max_length=32, blank=True)
    koatuu = models.CharField(_("KOATUU code"), max_length=16, blank=True)
    office_name = models.CharField(_("education office"), max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class DistrictBoundary(models.Model):
    """A district's outline as a GeoJSON geometry (lon/lat), kept apart from the district: only the maps
    read it, and at about 20 kB a district it would otherwise be read and decoded with every school or
    record fetched with its district (606 schools with their districts: 360 ms instead of 9)."""

    district = models.OneToOneField(
        District, on_delete=models.CASCADE, primary_key=True, related_name="boundary", verbose_name=_("district")
    )
    geometry = models.JSONField(_("boundary (GeoJSON)"))

    class Meta:
        verbose_name = _("district boundary")
        verbose_name_plural = _("district boundaries")

    def __str__(self) -> str:
        return str(self.district_id)


class SchoolQuerySet(models.QuerySet):
    def working(self):
        return self.filter(is_active=True)


class School(models.Model):
    """A general secondary school (ЗЗСО) as listed in the ЄДЕБО registry."""

    class Status(models.TextChoices):
        WORKING = "працює", _("working")
        SUSPENDED = "призупинено", _("suspended")
        LIQUIDATED = "ліквідовано", _("liquidated")
        REORGANISED = "реорганізовано", _("reorganised")

    CLOSED_STATUSES = (Status.LIQUIDATED, Status.REORGANISED)

    edebo_code = models.CharField(_("EDEBO code"), max_length=16, unique=True)
    edrpou = models.CharField(_("EDRPOU code"), max_length=16, blank=True, db_index=True)
    name = models.CharField(_("full name"), max_length=500)
    short_name = models.CharField(_("short name"), max_length=255, blank=True)
    kind = models.CharField(_("type"), max_length=100, blank=True)
    ownership = models.CharField(_("ownership"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    website = models.CharField(_("website"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.WORKING)
    is_active = models.BooleanField(
        _("working"), default=True, db_index=True, help_text=_("Derived from the status: only working schools.")
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="schools",
        null=True,
        blank=True,
        help_text=_("Empty for schools managed by the city directly."),
    )
    managing_body = models.CharField(_("managing body"), max_length=500, blank=True)
    parent_edebo_code = models.CharField(_("parent school"), max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["district__name", "short_name", "name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES
