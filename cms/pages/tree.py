"""The portal's page trees, created in code (idempotent) so every installation has the same structure."""

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Page

from cms.org.models import District

from .models import (
    AnnouncementIndexPage,
    ArchivePage,
    DistrictSectionPage,
    ExperienceDistrictPage,
    ExperienceIndexPage,
    HomePage,
    RegulationIndexPage,
    ReportIndexPage,
    StudyIndexPage,
)


def _child(parent: Page, model, slug: str, **fields) -> Page:
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing
    # Structural pages go live as created; their content is edited (with revisions) in the admin.
    page = model(slug=slug, live=True, **fields)
    parent.add_child(instance=page)
    return page


@transaction.atomic
def ensure_page_tree() -> HomePage:
    """The city sections under the home page, and a section and an experience folder per district."""
    home = HomePage.objects.get()
    _child(home, RegulationIndexPage, "normatyvna-baza", title=_("Normative base"))
    _child(home, AnnouncementIndexPage, "oholoshennia", title=_("Announcements"))
    _child(home, ReportIndexPage, "zvity", title=_("Current reports"))
    _child(home, StudyIndexPage, "monitorynh", title=_("Monitoring studies and testing"))
    experience = _child(home, ExperienceIndexPage, "obmin-dosvidom", title=_("Experience sharing"))
    _child(home, ArchivePage, "arkhiv", title=_("Archive"))
    for district in District.objects.all():
        name = _("%(district)s district") % {"district": district.name}
        section = _child(home, DistrictSectionPage, district.slug, title=name, district=district)
        _child(section, RegulationIndexPage, "normatyvna-baza", title=_("District normative base"))
        _child(section, AnnouncementIndexPage, "oholoshennia", title=_("District announcements"))
        _child(experience, ExperienceDistrictPage, district.slug, title=name, district=district)
    return home


def city_regulation_index() -> RegulationIndexPage:
    return RegulationIndexPage.objects.child_of(HomePage.objects.get()).get(slug="normatyvna-baza")
