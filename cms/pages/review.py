"""Freshness: the pages an owner must review soon."""

from datetime import timedelta

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from cms.accounts.roles import has_capability

REVIEWED_TYPES = ["regulationpage", "announcementpage", "reportpage", "studypage", "experiencearticlepage"]
DUE_WITHIN_DAYS = 30


def pages_due_for_review(user, *, within_days: int = DUE_WITHIN_DAYS) -> list:
    horizon = timezone.localdate() + timedelta(days=within_days)
    due = []
    for model_name in REVIEWED_TYPES:
        model = apps.get_model("pages", model_name)
        due.extend(model.objects.filter(content_owner=user, review_by__lte=horizon, archived_at__isnull=True))
    return sorted(due, key=lambda page: page.review_by)


def review_due(request):
    if not has_capability(request.user, "review_list"):
        raise PermissionDenied
    return render(
        request,
        "pages/review_due.html",
        {"pages": pages_due_for_review(request.user), "today": timezone.localdate(), "days": DUE_WITHIN_DAYS},
    )
