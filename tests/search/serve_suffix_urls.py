"""A URL configuration whose page paths are not the site root's path followed by the page's: Wagtail's serve
view at ``<page path>index.html`` (for ``test_search_cost``)."""

from django.urls import re_path
from wagtail import views

urlpatterns = [re_path(r"^((?:[\w\-]+/)*)index\.html$", views.serve, name="wagtail_serve")]
