"""The permission matrix: every protected URL × every kind of user, with the status each must get.

A URL pattern that the matrix does not cover fails ``test_every_url_pattern_is_covered``: every new view,
endpoint or export adds its rows here.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.conftest import ACTORS


@dataclass(frozen=True)
class Row:
    name: str  # URL name, namespaced
    expected: dict[str, int]  # actor -> status
    kwargs: Callable = field(default=lambda w: {})
    args: tuple | Callable = ()
    method: str = "get"
    data: Callable = field(default=lambda w: {})
    query: str | Callable = ""
    label: str = ""
    content_type: str | None = None

    @property
    def id(self) -> str:
        return self.label or self.name


def expect(default: int, **overrides: int) -> dict[str, int]:
    result = dict.fromkeys(ACTORS, default)
    result.update(overrides)
    return result


LOGIN = 302  # anonymous HTML requests are sent to the login page
CITY = {"don": 200, "site_admin": 200}

ROWS = [
    Row("accounts:login", expect(302, anonymous=200)),
    Row("accounts:logout", expect(302), method="post"),
    Row("accounts:two_factor", expect(302, anonymous=LOGIN)),
    Row("accounts:password_change", expect(200, anonymous=LOGIN)),
    Row("dashboard:home", expect(200, anonymous=LOGIN)),
    # Schools directory: a tool of the department, district offices and the site administrator.
    Row("org:school_list", expect(403, anonymous=LOGIN, own_ruo=200, other_ruo=200, **CITY)),
    Row(
        "org:school_detail",
        expect(404, anonymous=LOGIN, school_a=200, own_ruo=200, **CITY),
        kwargs=lambda w: {"pk": w.school_a.pk},
        label="school A profile",
    ),
    Row(
        "org:school_detail",
        expect(404, anonymous=LOGIN, school_c=200, other_ruo=200, **CITY),
        kwargs=lambda w: {"pk": w.school_c.pk},
        label="school C profile",
    ),
    Row("org:my_school", expect(403, anonymous=LOGIN, school_a=302, school_b=302, school_c=302)),
    # Communities: the site administrator holds no unit role, so has no communities.
    Row("communities:list", expect(200, anonymous=LOGIN, site_admin=403)),
    Row(
        "communities:detail",
        expect(404, anonymous=LOGIN, school_a=200, school_b=200, own_ruo=200, don=200),
        kwargs=lambda w: {"pk": w.community_a.pk},
        label="district A community",
    ),
    Row(
        "communities:detail",
        expect(404, anonymous=LOGIN, school_c=200, other_ruo=200, don=200),
        kwargs=lambda w: {"pk": w.thematic_c.pk},
        label="thematic community of school C",
    ),
    Row("communities:create", expect(403, anonymous=LOGIN, don=200)),
    Row(
        "communities:add_members",
        expect(404, anonymous=LOGIN, don=200),
        kwargs=lambda w: {"pk": w.thematic_c.pk},
    ),
    Row(
        "communities:add_members",
        expect(404, anonymous=LOGIN),
        kwargs=lambda w: {"pk": w.community_a.pk},
        label="district community members are not edited by hand",
    ),
    Row(
        "communities:remove_member",
        expect(404, anonymous=LOGIN, don=302),
        kwargs=lambda w: {"pk": w.thematic_c.pk, "membership_pk": w.thematic_c.memberships.get().pk},
        method="post",
    ),
    Row("audit:log", expect(403, anonymous=LOGIN, site_admin=200)),
    # JSON API: unauthenticated requests get 401, out-of-scope objects 404.
    Row("api:me", expect(200, anonymous=401)),
    Row("api:schema", expect(200, anonymous=401)),
    Row("api:district_list", expect(200, anonymous=401)),
    Row("api:school_list", expect(200, anonymous=401)),
    Row(
        "api:school_detail",
        expect(404, anonymous=401, school_a=200, own_ruo=200, **CITY),
        kwargs=lambda w: {"pk": w.school_a.pk},
        label="API school A",
    ),
    Row(
        "api:school_detail",
        expect(404, anonymous=401, school_c=200, other_ruo=200, **CITY),
        kwargs=lambda w: {"pk": w.school_c.pk},
        label="API school C",
    ),
    Row("api:community_list", expect(200, anonymous=401)),
    Row(
        "api:community_detail",
        expect(404, anonymous=401, school_a=200, school_b=200, own_ruo=200, don=200),
        kwargs=lambda w: {"pk": w.community_a.pk},
        label="API district A community",
    ),
    Row(
        "api:community_detail",
        expect(404, anonymous=401, school_c=200, other_ruo=200, don=200),
        kwargs=lambda w: {"pk": w.thematic_c.pk},
        label="API thematic community of school C",
    ),
    # Wagtail: the page tree root sends a signed-in user to the dashboard; the admin is for the
    # department, district offices and site administrators; accounts are managed by site administrators only.
    Row("wagtail_serve", expect(302, anonymous=LOGIN, site_admin=404), args=("",), label="page tree root"),
    Row("frontend_login_redirect", expect(302)),
    Row("wagtailadmin_home", expect(302, own_ruo=200, other_ruo=200, don=200, site_admin=200)),
    Row("wagtailusers_users:index", expect(302, site_admin=200)),
    Row("wagtailusers_groups:index", expect(302, site_admin=200)),
]

A_SIDE = {"school_a": 200, "school_b": 200, "own_ruo": 200, "don": 200}
C_SIDE = {"school_c": 200, "other_ruo": 200, "don": 200}
CONTENT_READERS = dict.fromkeys(("school_a", "school_b", "school_c", "own_ruo", "other_ruo", "don"), 200)


def _doc(name: str):
    def kwargs(w):
        document = getattr(w.content, name)
        return {"document_id": document.pk, "document_filename": document.filename}

    return kwargs


def _page_path(name: str):
    # url_path is "/home/<path>/"; the site root is the home page
    return lambda w: (getattr(w.content, name).url_path.split("/", 2)[2],)


LIBRARY_ROWS = [
    Row("library:document_list", expect(403, anonymous=LOGIN, **CONTENT_READERS)),
    Row("library:review_due", expect(403, anonymous=LOGIN, own_ruo=200, other_ruo=200, don=200)),
    Row("experience:write", expect(403, anonymous=LOGIN, school_a=200, school_b=200, school_c=200)),
    Row("experience:mine", expect(403, anonymous=LOGIN, school_a=200, school_b=200, school_c=200)),
    Row("api:document_list", expect(200, anonymous=401)),
    Row("api:regulation_list", expect(200, anonymous=401)),
    # Documents: only through the scope-checked view; another scope's document is a 404.
    Row(
        "wagtaildocs_serve",
        expect(404, anonymous=LOGIN, **CONTENT_READERS),
        kwargs=_doc("city_document"),
        label="city document",
    ),
    Row(
        "wagtaildocs_serve",
        expect(404, anonymous=LOGIN, **A_SIDE),
        kwargs=_doc("district_a_document"),
        label="district A document",
    ),
    Row(
        "wagtaildocs_serve",
        expect(404, anonymous=LOGIN, **C_SIDE),
        kwargs=_doc("district_c_document"),
        label="district C document",
    ),
    Row(
        "wagtaildocs_serve",
        expect(404, anonymous=LOGIN, **C_SIDE),
        kwargs=_doc("community_c_document"),
        label="community C document",
    ),
    Row(
        "wagtaildocs_serve",
        expect(404, anonymous=LOGIN, don=200),
        kwargs=_doc("department_document"),
        label="department-only document",
    ),
    # Pages of the city and of one district.
    Row(
        "wagtail_serve",
        expect(404, anonymous=LOGIN, **CONTENT_READERS),
        args=_page_path("city_regulation"),
        label="city regulation page",
    ),
    Row(
        "wagtail_serve",
        expect(404, anonymous=LOGIN, **A_SIDE),
        args=_page_path("district_a_regulation"),
        label="district A regulation page",
    ),
    Row(
        "wagtail_serve",
        expect(404, anonymous=LOGIN, **C_SIDE),
        args=_page_path("district_c_regulation"),
        label="district C regulation page",
    ),
    # Wagtail's API v2, scoped the same way.
    Row("wagtailapi:pages:listing", expect(200, anonymous=401)),
    Row(
        "wagtailapi:pages:detail",
        expect(404, anonymous=401, **A_SIDE),
        kwargs=lambda w: {"pk": w.content.district_a_regulation.pk},
        label="API v2 district A page",
    ),
    Row(
        "wagtailapi:pages:find",
        expect(404, anonymous=401, **dict.fromkeys(A_SIDE, 302)),
        query="?html_path=/holosiivskyi/normatyvna-baza/",
        label="API v2 find district A page",
    ),
    Row("wagtailapi:documents:listing", expect(200, anonymous=401)),
    Row(
        "wagtailapi:documents:detail",
        expect(404, anonymous=401, **C_SIDE),
        kwargs=lambda w: {"pk": w.content.district_c_document.pk},
        label="API v2 district C document",
    ),
    Row(
        "wagtailapi:documents:find",
        expect(404, anonymous=401, **dict.fromkeys(C_SIDE, 302)),
        query="?id=",
        label="API v2 find district C document",
    ),
    # Search: the results page, title autocomplete, the query log (editors), the JSON API.
    Row("search:results", expect(403, anonymous=LOGIN, **CONTENT_READERS), query="?q=зарахування"),
    Row("search:autocomplete", expect(403, anonymous=LOGIN, **CONTENT_READERS), query="?q=Про"),
    Row("search:query_log", expect(403, anonymous=LOGIN, don=200)),
    Row("api:search", expect(200, anonymous=401), query="?q=зарахування"),
    # The editors' regulation listing in the admin.
    Row("regulations:index", expect(302, own_ruo=200, other_ruo=200, don=200)),
    Row("library_documents:index", expect(302, own_ruo=200, other_ruo=200, don=200)),
    # A page bulk action names its pages by id: another district's act is not named (cms.pages.admin).
    Row(
        "wagtail_bulk_action",
        expect(302, own_ruo=404, other_ruo=200, don=200, site_admin=404),
        args=("wagtailcore", "page", "delete"),
        query=lambda w: f"?id={w.content.district_c_regulation.pk}",
        label="admin bulk delete of district C act",
    ),
    # Wagtail admin views that name an object in the request (cms.org.admin_views, the admin API's documents).
    Row(
        "wagtailadmin_explore",
        expect(302, own_ruo=404, other_ruo=200, don=200, site_admin=404),
        args=lambda w: [w.content.district_c_regulation.pk],
        label="admin explorer under district C act",
    ),
    Row(
        "wagtailadmin_choose_page_chosen_multiple",
        expect(302, own_ruo=404, other_ruo=200, don=200, site_admin=404),
        query=lambda w: f"?id={w.content.district_c_regulation.pk}",
        label="admin page chooser gives district C act",
    ),
    *(
        Row(
            name,
            expect(302, own_ruo=404, other_ruo=200, don=200, site_admin=404),
            args=lambda w: [w.content.district_c_document.pk],
            label=label,
        )
        for name, label in (
            ("wagtailadmin_api:documents:detail", "admin API district C document"),
            ("wagtaildocs:edit", "admin edit of district C document"),
            ("wagtaildocs_chooser:chosen", "admin document chooser gives district C document"),
        )
    ),
    Row(
        "wagtailadmin_pages:add_subpage",
        expect(302, own_ruo=404, site_admin=404),  # an act has no subpages: Wagtail sends the others back
        args=lambda w: [w.content.district_c_regulation.pk],
        label="admin new page under district C act",
    ),
    # Wagtail's views over every page of the site (cms.org.admin_views): the department's alone.
    *(
        Row(name, expect(403, anonymous=LOGIN, don=200), args=args)
        for name, args in (
            ("wagtailadmin_reports:page_types_usage", ()),
            ("wagtailadmin_pages:type_use", ("pages", "regulationpage")),
        )
    ),
]

SCHOOLS = {"school_a": 200, "school_b": 200, "school_c": 200}


def _attendance_of_school_a(world) -> dict:
    return {
        "date": timezone.localdate().isoformat(),
        "school": world.school_a.edebo_code,
        "classes": [{"class_name": "5-А", "enrolled": 28, "present": 27, "absent_illness": 1}],
    }


ATTENDANCE_ROWS = [
    # A school's own attendance tools: its director and deputy only.
    Row("attendance:submit", expect(403, anonymous=LOGIN, **SCHOOLS)),
    Row("attendance:upload", expect(403, anonymous=LOGIN, **SCHOOLS)),
    Row("attendance:upload_template", expect(403, anonymous=LOGIN, **SCHOOLS)),
    Row("attendance:api_key", expect(403, anonymous=LOGIN, **SCHOOLS)),
    Row("attendance:api_key_rotate", expect(403, anonymous=LOGIN, **SCHOOLS), method="post"),
    # The API writes only the token's own school: school A's body from school B or C is another school's.
    Row(
        "api:attendance_submit",
        expect(403, anonymous=401, school_a=201, school_b=404, school_c=404),
        method="post",
        data=_attendance_of_school_a,
        content_type="application/json",
    ),
    Row("api:attendance_days", expect(200, anonymous=401, site_admin=403)),
    Row("live_attendance", expect(200, anonymous=LOGIN, site_admin=403)),
    # Dashboards: the department the city, a district office its district, a school itself; the site
    # administrator has no attendance at all (403), another unit's page answers 404.
    Row("attendance:home", expect(302, anonymous=LOGIN, don=200, site_admin=403)),
    Row(
        "attendance:home",
        expect(302, anonymous=LOGIN, don=200, site_admin=403),
        query="?format=docx",
        label="city DOCX",
    ),
    Row(
        "attendance:home",
        expect(302, anonymous=LOGIN, don=200, site_admin=403),
        query="?format=xlsx",
        label="city XLSX",
    ),
    Row(
        "attendance:district",
        expect(404, anonymous=LOGIN, own_ruo=200, don=200, site_admin=403),
        kwargs=lambda w: {"slug": w.district.slug},
        label="district A attendance",
    ),
    Row(
        "attendance:district",
        expect(404, anonymous=LOGIN, own_ruo=200, don=200, site_admin=403),
        kwargs=lambda w: {"slug": w.district.slug},
        query="?format=csv",
        label="district A attendance CSV",
    ),
    Row(
        "attendance:district",
        expect(404, anonymous=LOGIN, don=200, site_admin=403),
        kwargs=lambda w: {"slug": "direct"},
        label="attendance of directly managed schools",
    ),
    Row(
        "attendance:school",
        expect(404, anonymous=LOGIN, school_a=200, own_ruo=200, don=200, site_admin=403),
        kwargs=lambda w: {"pk": w.school_a.pk},
        label="school A attendance",
    ),
    Row(
        "attendance:school",
        expect(404, anonymous=LOGIN, school_a=200, own_ruo=200, don=200, site_admin=403),
        kwargs=lambda w: {"pk": w.school_a.pk},
        query="?format=xlsx",
        label="school A attendance XLSX",
    ),
    Row(
        "attendance:class",
        expect(404, anonymous=LOGIN, school_c=200, other_ruo=200, don=200, site_admin=403),
        kwargs=lambda w: {"pk": w.school_c.pk, "class_pk": w.school_c.classes.get().pk},
        label="school C class attendance",
    ),
    Row(
        "attendance:class",
        expect(404, anonymous=LOGIN, school_c=200, other_ruo=200, don=200, site_admin=403),
        kwargs=lambda w: {"pk": w.school_c.pk, "class_pk": w.school_c.classes.get().pk},
        query="?format=csv",
        label="school C class attendance CSV",
    ),
]
ROWS += ATTENDANCE_ROWS

# URL patterns outside the matrix, each with the reason.
NOT_IN_MATRIX = {
    "wagtailcore_login": "shadowed by frontend_login_redirect, which sends everyone to the portal's sign-in",
    "wagtailcore_authenticate_with_password": "Wagtail page password form; pages here use login, not passwords",
}


ROWS += LIBRARY_ROWS


def _covered_names() -> set[str]:
    return {row.name for row in ROWS} | set(NOT_IN_MATRIX)


def _walk(resolver, prefix="", namespace=""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from _walk(pattern, route, ns)
        elif isinstance(pattern, URLPattern):
            yield route, (namespace + pattern.name) if pattern.name else None


def test_every_url_pattern_is_covered():
    """Every URL outside Wagtail's admin (which is gated by its own permissions and sampled above)."""
    missing = []
    for route, name in _walk(get_resolver()):
        if route.startswith(("admin/", "^admin/")):
            continue
        if name is None or name not in _covered_names():
            missing.append(f"{route} ({name})")
    assert not missing, f"URL patterns without permission-matrix rows: {missing}"


CASES = [pytest.param(row, actor, id=f"{row.id}-{actor}") for row in ROWS for actor in ACTORS]


@pytest.mark.parametrize(("row", "actor"), CASES)
def test_permission_matrix(row: Row, actor: str, world, client_for):
    client = client_for(actor)
    args = row.args(world) if callable(row.args) else row.args
    query = row.query(world) if callable(row.query) else row.query
    query += str(world.content.district_c_document.pk) if query.endswith("?id=") else ""
    url = reverse(row.name, args=args, kwargs=row.kwargs(world)) + query
    data = row.data(world)
    if row.content_type == "application/json":
        response = getattr(client, row.method)(url, json.dumps(data, default=str), content_type=row.content_type)
    else:
        response = getattr(client, row.method)(url, data)
    assert response.status_code == row.expected[actor], (
        f"{row.method.upper()} {url} as {actor}: {response.status_code}, expected {row.expected[actor]}"
    )
    if response.status_code == 302 and actor == "anonymous" and row.expected[actor] == LOGIN:
        assert response["Location"].startswith(reverse("accounts:login"))
