from django.shortcuts import redirect
from wagtail.models import Page


class HomePage(Page):
    """The root of the portal's page trees. Its own URL is the portal's start page (the login block),
    so serving it sends the visitor on to the dashboard."""

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def serve(self, request, *args, **kwargs):
        return redirect("dashboard:home")
