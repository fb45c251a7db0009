"""Wagtail's serve view for pages at most two levels below the site root, below ``pages/``."""

from django.urls import re_path
from wagtail import views

urlpatterns = [re_path(r"^pages/((?:[\w\-]+/){0,2})$", views.serve, name="wagtail_serve")]
