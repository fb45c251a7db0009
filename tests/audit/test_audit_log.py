from django.test import Client
from django.urls import reverse

from cms.accounts.roles import Role
from cms.accounts.services import assign_role
from tests.factories import PASSWORD


def test_don_admin_reads_role_changes_and_sign_ins(world, client_for):
    from tests.conftest import sign_in
    from tests.factories import make_user

    admin = make_user(Role.DON_ADMIN, username="don-admin")
    assign_role(user=world.users["school_b"], role=Role.SCHOOL_DEPUTY, school=world.school_b, actor=admin)
    Client().post("/", {"username": "dir-a", "password": PASSWORD})
    Client().post("/", {"username": "dir-c", "password": "wrong-password-1"})
    client = sign_in(Client(), admin)
    changes = client.get(reverse("audit:log")).content.decode()
    assert "Роль змінено" in changes and "don-admin" in changes
    signins = client.get(reverse("audit:log"), {"tab": "signins"}).content.decode()
    assert "dir-a" in signins
    failures = client.get(reverse("audit:log"), {"tab": "failures", "username": "dir-c"}).content.decode()
    assert "dir-c" in failures and "dir-a" not in failures


def test_audit_log_query_count_is_bounded(world, client_for, django_assert_max_num_queries):
    client = client_for("site_admin")
    client.get(reverse("audit:log"))
    with django_assert_max_num_queries(10):
        client.get(reverse("audit:log"))


def test_publishing_and_archiving_appear_in_the_audit_log(world, client_for):
    from cms.pages.services import archive_pages

    archive_pages([world.content.city_regulation], user=world.users["don"])
    html = client_for("site_admin").get(reverse("audit:log"), {"tab": "pages"}).content.decode()
    assert world.content.city_regulation.title in html
    assert "don-editor" in html
