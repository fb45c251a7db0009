"""Wagtail's serve view at ``<page path>index.html``."""

from django.urls import re_path
from wagtail import views

urlpatterns = [re_path(r"^((?:[\w\-]+/)*)index\.html$", views.serve, name="wagtail_serve")]
