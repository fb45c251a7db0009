"""Page trees, scope on pages, archive, announcements, experience articles, freshness, editors' admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageLogEntry

from cms.pages.models import (
    AnnouncementIndexPage,
    AnnouncementPage,
    DistrictSectionPage,
    ExperienceArticlePage,
    ExperienceDistrictPage,
    HomePage,
    RegulationIndexPage,
    RegulationPage,
)
from cms.pages.sanitise import sanitise_html
from cms.pages.services import archive_pages, set_regulation_status
from cms.pages.tree import ensure_page_tree
from tests.conftest import publish_regulation


def test_page_tree_is_created_once(world):
    count = Page.objects.count()
    ensure_page_tree()
    assert Page.objects.count() == count
    assert DistrictSectionPage.objects.count() == 2
    assert ExperienceDistrictPage.objects.count() == 2


def test_trees_enforce_their_structure():
    assert RegulationPage.allowed_parent_page_models() == [RegulationIndexPage]
    assert set(RegulationIndexPage.allowed_parent_page_models()) == {HomePage, DistrictSectionPage}
    assert not RegulationPage.allowed_subpage_models()
    assert AnnouncementPage.allowed_parent_page_models() == [AnnouncementIndexPage]
    assert ExperienceArticlePage.allowed_parent_page_models() == [ExperienceDistrictPage]


def test_normative_base_lists_filters_and_paginates(world, client_for):
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(
        index,
        "Про атестацію педагогічних працівників",
        kind="order",
        number="805",
        document_date="2022-12-09",
        status="amended",
    )
    publish_regulation(index, "Закон України Про освіту", kind="law", number="2145-VIII", document_date="2017-09-05")
    client = client_for("school_a")
    html = client.get(index.url).content.decode()
    assert "Про атестацію педагогічних працівників" in html and "Про освіту" in html
    html = client.get(index.url, {"kind": "law"}).content.decode()
    assert "Про освіту" in html and "Про атестацію" not in html
    html = client.get(index.url, {"status": "amended"}).content.decode()
    assert "Про атестацію" in html and "Про освіту" not in html
    html = client.get(index.url, {"year": 2017}).content.decode()
    assert "Про освіту" in html and "Про атестацію" not in html
    html = client.get(index.url, {"q": "2145"}).content.decode()
    assert "Про освіту" in html and "Про атестацію" not in html


def test_normative_base_query_count_is_bounded(world, client_for, django_assert_max_num_queries):
    index = world.content.city_regulation.get_parent().specific
    client = client_for("school_a")
    client.get(index.url)
    with django_assert_max_num_queries(30) as few:
        client.get(index.url)
    for n in range(10):
        publish_regulation(index, f"Наказ № {n}", kind="order", number=str(n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(index.url)


def test_regulation_page_shows_metadata_relations_and_attachments(world, client_for):
    city = world.content.city_regulation
    amending = publish_regulation(
        city.get_parent().specific, "Про внесення змін до наказу 367", kind="order", number="400"
    )
    amending.amends.add(city)
    amending.save_revision().publish()
    html = client_for("school_c").get(city.url).content.decode()
    assert "367" in html and "Департамент освіти і науки" in html
    assert world.content.city_document.url in html
    assert "Змінено:" in html and "Про внесення змін до наказу 367" in html


def test_district_section_is_hidden_from_other_districts_everywhere(world, client_for):
    section_a = DistrictSectionPage.objects.get(district=world.district)
    regulation_a = world.content.district_a_regulation
    client = client_for("school_c")
    assert client.get(section_a.url).status_code == 404
    assert client.get(regulation_a.url).status_code == 404
    api = client.get(reverse("wagtailapi:pages:listing"), {"type": "pages.RegulationPage", "fields": "title"}).json()
    assert regulation_a.title not in {item["title"] for item in api["items"]}
    api = client.get(reverse("wagtailapi:pages:listing"), {"child_of": section_a.pk})
    assert api.status_code == 400 or not api.json()["items"]
    assert regulation_a.title not in client.get(reverse("api:regulation_list")).content.decode()
    assert client_for("school_a").get(regulation_a.url).status_code == 200


def test_drafts_are_not_served_in_the_portal(world, client_for):
    index = world.content.city_regulation.get_parent().specific
    draft = RegulationPage(title="Чернетка наказу", slug="chernetka", kind="order", live=False)
    index.add_child(instance=draft)
    draft.save_revision()
    assert client_for("don").get(f"/pages/{index.slug}/chernetka/").status_code == 404
    assert client_for("don").get(reverse("wagtailapi:pages:detail", args=[draft.pk])).status_code == 404


def test_archiving_moves_pages_out_of_listings_and_keeps_them(world, client_for):
    city = world.content.city_regulation
    index_url = city.get_parent().url
    client = client_for("school_a")
    assert city.title in client.get(index_url).content.decode()
    assert archive_pages([city], user=world.users["don"]) == 1
    assert archive_pages([city], user=world.users["don"]) == 0  # repeated: no duplicate change
    assert city.title not in client.get(index_url).content.decode()
    archive = Page.objects.get(slug="arkhiv")
    assert city.title in client.get(archive.url).content.decode()
    assert client.get(city.url).status_code == 200  # nothing is deleted
    assert PageLogEntry.objects.filter(action="pages.archive", page=city).count() == 1
    # a later publish of the page keeps it archived
    city.refresh_from_db()
    city.save_revision().publish()
    city.refresh_from_db()
    assert city.archived_at is not None


def _announcement(title: str) -> AnnouncementPage:
    index = AnnouncementIndexPage.objects.child_of(HomePage.objects.get()).get()
    page = AnnouncementPage(title=title, slug=f"a-{AnnouncementPage.objects.count()}", body="<p>Текст</p>")
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_old_announcements_age_into_the_archive_but_acts_in_force_do_not(world, client_for, settings):
    old = timezone.now() - timedelta(days=settings.ECAB_ARCHIVE_AFTER_DAYS + 1)
    notice = _announcement("Оголошення про семінар")
    AnnouncementPage.objects.filter(pk=notice.pk).update(first_published_at=old)
    city = world.content.city_regulation
    RegulationPage.objects.filter(pk=city.pk).update(first_published_at=old)
    client = client_for("school_a")
    assert notice.title not in client.get(notice.get_parent().url).content.decode()
    archive = Page.objects.get(slug="arkhiv")
    assert notice.title in client.get(archive.url, {"year": old.year}).content.decode()
    assert notice.title not in client.get(archive.url, {"year": old.year - 1}).content.decode()
    # an act in force stays in the normative base however old it is
    assert city.title in client.get(city.get_parent().url).content.decode()
    assert city.title not in client.get(archive.url).content.decode()


def test_archive_respects_scope(world, client_for):
    regulation_a = world.content.district_a_regulation
    archive_pages([regulation_a], user=world.users["don"])
    archive = Page.objects.get(slug="arkhiv")
    assert regulation_a.title in client_for("school_a").get(archive.url).content.decode()
    assert regulation_a.title not in client_for("school_c").get(archive.url).content.decode()


def test_bulk_status_change_is_logged(world):
    city = world.content.city_regulation
    assert set_regulation_status([city], status="repealed", user=world.users["don"]) == 1
    city.refresh_from_db()
    assert city.status == "repealed"
    entry = PageLogEntry.objects.get(action="pages.status_change", page=city)
    assert entry.data == {"from": "in_force", "to": "repealed"} and entry.user == world.users["don"]


def test_admin_bulk_actions(world, client_for):
    city = world.content.city_regulation
    client = client_for("don")
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "change_status"]) + f"?id={city.pk}"
    assert client.get(url).status_code == 200
    client.post(url, {"status": "amended"})
    city.refresh_from_db()
    assert city.status == "amended"
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "archive"]) + f"?id={city.pk}"
    client.post(url, {})
    city.refresh_from_db()
    assert city.archived_at is not None


def test_district_office_cannot_bulk_change_another_districts_pages(world, client_for):
    regulation_c = world.content.district_c_regulation
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "archive"]) + f"?id={regulation_c.pk}"
    client_for("own_ruo").post(url, {})
    regulation_c.refresh_from_db()
    assert regulation_c.archived_at is None


BULK_ACTIONS = ["delete", "move", "publish", "unpublish", "archive", "change_status"]


@pytest.mark.parametrize("action", BULK_ACTIONS)
def test_a_page_bulk_action_lists_no_page_of_another_district(world, client_for, action):
    """Wagtail listed every page a bulk action's request named, by title, among those the user may not act on:
    another district's act is now not named at all, and a request for it alone answers 404."""
    own, other = world.content.district_a_regulation, world.content.district_c_regulation
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", action])
    client = client_for("own_ruo")
    response = client.get(f"{url}?id={own.pk}&id={other.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert own.title in html and other.title not in html
    assert client.get(f"{url}?id={other.pk}").status_code == 404
    # The district's own office still sees its act among those the other office may not act on.
    assert other.title in client_for("other_ruo").get(f"{url}?id={own.pk}&id={other.pk}").content.decode()


CITY_WIDE_REPORTS = [
    ("wagtailadmin_reports:page_types_usage", []),
    ("wagtailadmin_reports:page_types_usage_results", []),
    ("wagtailadmin_pages:type_use", ["pages", "regulationpage"]),
    ("wagtailadmin_pages:type_use_results", ["pages", "regulationpage"]),
]


@pytest.mark.parametrize(("name", "args"), CITY_WIDE_REPORTS)
def test_the_page_types_report_and_a_types_listing_are_the_departments(world, client_for, name, args):
    """They show every page of the site (each type's count and last edited page, drafts and other districts'
    too): refused to a district office, shown to the department."""
    url = reverse(name, args=args)
    assert client_for("own_ruo").get(url).status_code == 403
    response = client_for("don").get(url)
    assert response.status_code == 200


def test_the_reports_menu_names_the_page_types_report_to_the_department_only(world, client_for):
    report = reverse("wagtailadmin_reports:page_types_usage")
    assert report in client_for("don").get(reverse("wagtailadmin_home")).content.decode()
    assert report not in client_for("own_ruo").get(reverse("wagtailadmin_home")).content.decode()


def test_admin_regulation_listing_filters(world, client_for):
    client = client_for("don")
    html = client.get(reverse("regulations:index"), {"kind": "directive"}).content.decode()
    assert world.content.district_a_regulation.title in html
    assert world.content.city_regulation.title not in html


def test_admin_choosers_and_explorer_hide_other_districts(world, client_for):
    section_c = DistrictSectionPage.objects.get(district=world.other_district)
    client = client_for("own_ruo")
    html = client.get(reverse("wagtailadmin_choose_page_search"), {"q": "Розпорядження"}).content.decode()
    assert world.content.district_a_regulation.title in html
    assert world.content.district_c_regulation.title not in html
    html = client.get(reverse("wagtailadmin_choose_page_child", args=[section_c.get_parent().pk])).json()["html"]
    assert DistrictSectionPage.objects.get(district=world.district).title in html
    assert section_c.title not in html
    search = client.get(reverse("wagtailadmin_pages:search"), {"q": "Розпорядження"}).content.decode()
    assert world.content.district_c_regulation.title not in search
    assert client.get(
        reverse("wagtailadmin_pages:edit", args=[world.content.district_c_regulation.pk])
    ).status_code in (302, 403, 404)
    revisions = client.get(reverse("wagtailadmin_pages:history", args=[world.content.district_c_regulation.pk]))
    assert revisions.status_code in (302, 403, 404)


def _draft(parent, title: str) -> RegulationPage:
    page = RegulationPage(title=title, slug=f"draft-{Page.objects.count()}", kind="order", live=False)
    parent.add_child(instance=page)
    page.save_revision()
    return page


def test_admin_choosers_and_bulk_actions_hide_drafts_the_user_may_not_edit(world, client_for):
    """Wagtail's page chooser lists every page, drafts too: a district office could read the titles of the
    department's drafts (not yet public) by browsing or searching it, or by naming their ids in a bulk action.
    A draft is now listed to those who may edit it only; a published page of the city stays choosable."""
    city_index = world.content.city_regulation.get_parent()
    own_index = world.content.district_a_regulation.get_parent()
    city_draft = _draft(city_index, "Чернетка наказу департаменту")
    own_draft = _draft(own_index, "Чернетка розпорядження району")
    ruo, don = client_for("own_ruo"), client_for("don")
    browse = ruo.get(reverse("wagtailadmin_choose_page_child", args=[city_index.pk])).json()["html"]
    assert world.content.city_regulation.title in browse and city_draft.title not in browse
    search = ruo.get(reverse("wagtailadmin_choose_page_search"), {"q": "Чернетка"}).content.decode()
    assert own_draft.title in search and city_draft.title not in search
    own = ruo.get(reverse("wagtailadmin_choose_page_child", args=[own_index.pk])).json()["html"]
    assert own_draft.title in own
    for_don = don.get(reverse("wagtailadmin_choose_page_search"), {"q": "Чернетка"}).content.decode()
    assert city_draft.title in for_don and own_draft.title in for_don
    bulk = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    listing = ruo.get(f"{bulk}?id={own_draft.pk}&id={city_draft.pk}")
    assert own_draft.title in listing.content.decode() and city_draft.title not in listing.content.decode()
    assert ruo.get(f"{bulk}?id={city_draft.pk}").status_code == 404


def test_admin_explorer_lists_only_pages_in_scope(world, client_for):
    home = HomePage.objects.get()
    section_c = DistrictSectionPage.objects.get(district=world.other_district)
    section_a = DistrictSectionPage.objects.get(district=world.district)
    html = client_for("own_ruo").get(reverse("wagtailadmin_explore", args=[home.pk])).content.decode()
    assert section_a.title in html and section_c.title not in html
    response = client_for("don").get(reverse("wagtailadmin_explore", args=[home.pk]))
    assert response.status_code == 200 and section_c.title in response.content.decode()
    index = world.content.city_regulation.get_parent()
    listing = client_for("don").get(reverse("wagtailadmin_explore", args=[index.pk])).content.decode()
    assert world.content.city_regulation.title in listing


def test_admin_document_chooser_hides_other_districts(world, client_for):
    html = client_for("own_ruo").get(reverse("wagtaildocs_chooser:choose")).json()["html"]
    assert world.content.district_a_document.title in html
    assert world.content.district_c_document.title not in html
    assert world.content.department_document.title not in html


def test_announcements_pinned_first_and_expired_hidden(world, client_for):
    index = AnnouncementIndexPage.objects.child_of(HomePage.objects.get()).get()

    def announce(title, **fields):
        page = AnnouncementPage(
            title=title, slug=f"a-{AnnouncementPage.objects.count()}", body="<p>Текст</p>", **fields
        )
        index.add_child(instance=page)
        page.save_revision().publish()
        return page

    announce("Звичайне оголошення")
    announce("Важливе оголошення", pinned=True)
    announce("Застаріле оголошення", expires_at=timezone.now() - timedelta(hours=1))
    html = client_for("school_a").get(index.url).content.decode()
    assert html.index("Важливе оголошення") < html.index("Звичайне оголошення")
    assert "Застаріле оголошення" not in html


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ("<p>Текст</p><script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">посилання</a>', "javascript:"),
        ('<p onclick="steal()">клік</p>', "onclick"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
        ("<svg><script>alert(1)</script></svg>", "<svg"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ('<p style="background:url(javascript:alert(1))">x</p>', "style="),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "avascript"),
    ],
)
def test_article_html_is_sanitised(dirty, forbidden):
    assert forbidden.lower() not in sanitise_html(dirty).lower()


def test_sanitiser_keeps_ordinary_formatting():
    html = '<p>Досвід <strong>ліцею</strong></p><ul><li>пункт</li></ul><a href="https://osvita.ua">джерело</a>'
    clean = sanitise_html(html)
    assert "<strong>ліцею</strong>" in clean and "<li>пункт</li>" in clean and 'href="https://osvita.ua"' in clean


def test_school_writes_an_article_its_district_office_approves(world, client_for):
    from wagtail.models import WorkflowState

    school_client = client_for("school_a")
    response = school_client.post(
        reverse("experience:write"),
        {
            "title": "Як ми впровадили STEM",
            "body": '<p>Досвід</p><script>alert(1)</script><a href="javascript:x">y</a>',
        },
    )
    assert response["Location"] == reverse("experience:mine")
    article = ExperienceArticlePage.objects.get(title="Як ми впровадили STEM")
    assert not article.live and article.author_school == world.school_a
    assert "<script" not in article.body and "javascript:" not in article.body
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(article.pk))
    assert state.status == "in_progress"
    folder = article.get_parent()
    assert article.title not in school_client.get(folder.url).content.decode()  # not before approval
    # another district's office cannot approve it; its own can
    task_state = state.current_task_state
    assert not task_state.task.specific.user_can_access_editor(article, world.users["other_ruo"])
    assert task_state.task.specific.user_can_access_editor(article, world.users["own_ruo"])
    ruo = client_for("own_ruo")
    url = reverse("wagtailadmin_pages:workflow_action", args=[article.pk, "approve", task_state.pk])
    response = ruo.post(url, {"comment": "Гарна стаття"})
    assert response.status_code in (200, 302)
    article.refresh_from_db()
    assert article.live
    html = client_for("school_c").get(Page.objects.get(slug="obmin-dosvidom").url).content.decode()
    assert "Як ми впровадили STEM" in html and world.school_a.short_name in html
    assert "Як ми впровадили STEM" in school_client.get(reverse("experience:mine")).content.decode()


def test_empty_article_gets_a_clear_message(world, client_for):
    response = client_for("school_a").post(
        reverse("experience:write"), {"title": "Порожня", "body": "<script>x</script>"}
    )
    assert "не лишилося тексту" in response.content.decode() or "No text" in response.content.decode()
    assert not ExperienceArticlePage.objects.exists()


def test_owners_see_what_is_due_for_review(world, client_for):
    city = world.content.city_regulation
    RegulationPage.objects.filter(pk=city.pk).update(
        content_owner=world.users["don"], review_by=timezone.localdate() - timedelta(days=1)
    )
    html = client_for("don").get(reverse("library:review_due")).content.decode()
    assert city.title in html
    assert city.title not in client_for("own_ruo").get(reverse("library:review_due")).content.decode()


def test_every_page_gets_a_review_date(world):
    assert world.content.city_regulation.review_by is not None


def test_group_view_restriction_hides_a_page_everywhere(world, client_for):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    from cms.accounts.roles import ROLE_GROUP_NAMES, Role

    city = world.content.city_regulation
    restriction = PageViewRestriction.objects.create(page=city, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name=ROLE_GROUP_NAMES[Role.RUO_STAFF])])
    school = client_for("school_a")
    assert city.title not in school.get(city.get_parent().url).content.decode()
    assert city.title not in school.get(reverse("api:regulation_list")).content.decode()
    assert school.get(reverse("wagtailapi:pages:detail", args=[city.pk])).status_code == 404
    assert school.get(city.url).status_code in (302, 403, 404)
    ruo = client_for("own_ruo")
    assert city.title in ruo.get(city.get_parent().url).content.decode()
    assert ruo.get(city.url).status_code == 200


def test_revision_comparison_of_another_districts_page_is_refused(world, client_for):
    page = world.content.district_c_regulation
    first = page.get_latest_revision()
    page.title = "Розпорядження РУО Оболонського району (нова редакція)"
    second = page.save_revision()
    url = reverse("wagtailadmin_pages:revisions_compare", args=[page.pk, first.pk, second.pk])
    response = client_for("own_ruo").get(url)
    assert response.status_code in (302, 403, 404)
    assert "нова редакція" not in response.content.decode()
    assert client_for("other_ruo").get(url).status_code == 200


def test_city_moderation_workflow_is_approved_by_department_administrators(world):
    from wagtail.models import Page as WagtailPage

    from cms.accounts.permissions import DEFAULT_WORKFLOW_NAME

    workflow = WagtailPage.get_first_root_node().get_workflow()
    assert workflow.name == DEFAULT_WORKFLOW_NAME
    task = workflow.tasks.get().specific
    assert set(task.groups.values_list("name", flat=True)) == {"ДОН: адміністратори"}
    from django.contrib.auth.models import Group

    assert not Group.objects.filter(name__in=["Moderators", "Editors"]).exists()


def test_reports_and_studies_are_listed_by_year(world, client_for):
    from cms.pages.models import ReportIndexPage, ReportPage, StudyIndexPage, StudyPage

    home = HomePage.objects.get()
    for index_model, child_model, title in (
        (ReportIndexPage, ReportPage, "Звіт про мережу закладів"),
        (StudyIndexPage, StudyPage, "Моніторинг якості читання"),
    ):
        index = index_model.objects.child_of(home).get()
        for year in (2024, 2025):
            page = child_model(title=f"{title} {year}", slug=f"{child_model.__name__.lower()}-{year}", year=year)
            index.add_child(instance=page)
            page.save_revision().publish()
        html = client_for("school_c").get(index.url).content.decode()
        assert html.index(f"{title} 2025") < html.index(f"{title} 2024")
        assert '<h2 id="y2025">2025</h2>' in html
