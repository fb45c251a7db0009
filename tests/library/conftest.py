from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.documents.permissions import permission_policy as documents_permission_policy

from cms.accounts.permissions import city_collection
from tests.conftest import sign_in


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """A MEDIA_ROOT of the test's own, so "no file was left" can be checked exactly."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def editor(media, world) -> Client:
    """A DON editor signed in to the Wagtail admin (document permissions on the "Місто" collection)."""
    user = world.users["don"]
    # Wagtail checks document permissions on wagtaildocs.Document even with a custom document model.
    assert city_collection() in documents_permission_policy.collections_user_has_permission_for(user, "add"), (
        "setup_roles must give the DON editor wagtaildocs.add_document on the city collection"
    )
    return sign_in(Client(), user)


@pytest.fixture
def upload(editor, django_capture_on_commit_callbacks):
    """POST a file to Wagtail's add-document view as the DON editor; on-commit work (extraction) runs."""

    def post(name: str, data: bytes, *, title: str = "Наказ № 15", content_type: str = "application/octet-stream"):
        with django_capture_on_commit_callbacks(execute=True):
            return editor.post(
                reverse("wagtaildocs:add"),
                {
                    "title": title,
                    "file": SimpleUploadedFile(name, data, content_type=content_type),
                    "collection": city_collection().pk,
                    "kind": "order",
                    "language": "uk",
                    "status": "in_force",
                },
            )

    return post


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())
