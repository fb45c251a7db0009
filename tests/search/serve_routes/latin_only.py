"""Wagtail's serve view for paths of Latin letters only, below ``pages/``: a Cyrillic slug has no URL."""

from django.urls import re_path
from wagtail import views

urlpatterns = [re_path(r"^pages/((?:[-a-z0-9_]+/)*)$", views.serve, name="wagtail_serve")]
