from django.shortcuts import redirect
from wagtail.models import Page


class HomePage(Page):
    """The root of the portal's page trees. Its own URL is the portal's start page (the login block),
    so serving it sends the visitor on to the dashboard."""

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "pages.RegulationIndexPage",
        "pages.AnnouncementIndexPage",
        "pages.ReportIndexPage",
        "pages.StudyIndexPage",
        "pages.ExperienceIndexPage",
        "pages.ArchivePage",
        "pages.DistrictSectionPage",
    ]
    max_count = 1

    def serve(self, request, *args, **kwargs):
        return redirect("dashboard:home")
