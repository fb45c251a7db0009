"""Wagtail admin views that name objects in their request (``cms.org.admin_views``, the admin API's documents
and images): another district's or the department's objects, and drafts the user may not edit, answer 404 or are
left out; the user's own answer as before."""

import re

import pytest
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, Page

from cms.accounts.permissions import district_collection
from cms.pages.models import RegulationPage


def _draft(parent, title: str) -> RegulationPage:
    page = RegulationPage(title=title, slug=f"draft-{Page.objects.count()}", kind="order", live=False)
    parent.add_child(instance=page)
    page.save_revision()
    return page


@pytest.fixture
def pages(world):
    content = world.content
    return {
        "city_draft": _draft(content.city_regulation.get_parent(), "Чернетка наказу департаменту"),
        "own_draft": _draft(content.district_a_regulation.get_parent(), "Чернетка розпорядження району"),
        "other_district": content.district_c_regulation,
        "own": content.district_a_regulation,
        "city": content.city_regulation,
    }


@pytest.fixture
def images(world):
    image = get_image_model()
    return {
        "department": image.objects.create(
            title="Логотип департаменту", file=get_test_image_file(), collection=Collection.get_first_root_node()
        ),
        "own": image.objects.create(
            title="Фото району А", file=get_test_image_file(), collection=district_collection(world.district)
        ),
        "other_district": image.objects.create(
            title="Фото району C", file=get_test_image_file(), collection=district_collection(world.other_district)
        ),
    }


PAGE_VIEWS = ["wagtailadmin_explore", "wagtailadmin_explore_results", "wagtailadmin_choose_page_child"]


@pytest.mark.parametrize("view", PAGE_VIEWS)
def test_a_page_browsed_as_a_parent_answers_404_when_the_admin_does_not_list_it(world, client_for, pages, view):
    """Wagtail showed the browsed page's title and breadcrumbs, whatever the user's scope."""
    ruo, don = client_for("own_ruo"), client_for("don")
    for hidden in ("city_draft", "other_district"):
        assert ruo.get(reverse(view, args=[pages[hidden].pk])).status_code == 404, hidden
    for shown in ("own_draft", "own", "city"):
        assert ruo.get(reverse(view, args=[pages[shown].pk])).status_code == 200, shown
    assert don.get(reverse(view, args=[pages["city_draft"].pk])).status_code == 200


def test_the_page_chooser_gives_no_page_it_does_not_list(world, client_for, pages):
    """Its "chosen" step gave the title and URL of any page named by id."""
    url = reverse("wagtailadmin_choose_page_chosen_multiple")
    ruo = client_for("own_ruo")
    assert ruo.get(url, {"id": [pages["own"].pk, pages["city_draft"].pk]}).status_code == 404
    assert ruo.get(url, {"id": [pages["other_district"].pk]}).status_code == 404
    chosen = ruo.get(url, {"id": [pages["own"].pk, pages["city"].pk]})
    assert chosen.status_code == 200
    assert {row["adminTitle"] for row in chosen.json()["result"]} == {pages["own"].title, pages["city"].title}
    assert client_for("don").get(url, {"id": [pages["city_draft"].pk]}).status_code == 200


def test_a_move_names_no_page_the_admin_does_not_list(world, client_for, pages):
    """The confirmation showed both pages' titles before its permission check."""
    ruo = client_for("own_ruo")
    confirm = "wagtailadmin_pages:move_confirm"
    assert ruo.get(reverse(confirm, args=[pages["city_draft"].pk, pages["own"].pk])).status_code == 404
    assert ruo.get(reverse(confirm, args=[pages["own_draft"].pk, pages["other_district"].pk])).status_code == 404
    assert ruo.get(reverse("wagtailadmin_pages:move", args=[pages["city_draft"].pk])).status_code == 404
    own = ruo.get(reverse(confirm, args=[pages["own_draft"].pk, pages["own"].get_parent().pk]))
    assert own.status_code == 200 and pages["own_draft"].title in own.content.decode()


def test_the_image_chooser_formats_only_an_image_the_user_may_choose(world, client_for, images):
    ruo = client_for("own_ruo")
    url = "wagtailimages_chooser:select_format"
    for hidden in ("department", "other_district"):
        assert ruo.get(reverse(url, args=[images[hidden].pk])).status_code == 404, hidden
    own = ruo.get(reverse(url, args=[images["own"].pk]))
    assert own.status_code == 200 and images["own"].title in own.json()["html"]


@pytest.mark.parametrize("action", ["delete", "add_tags", "add_to_collection"])
def test_a_document_bulk_action_names_no_document_outside_the_scope(world, client_for, action):
    content = world.content
    url = reverse("wagtail_bulk_action", args=["library", "librarydocument", action])
    ruo = client_for("own_ruo")
    for hidden in (content.district_c_document, content.department_document):
        assert ruo.get(url, {"id": [content.district_a_document.pk, hidden.pk]}).status_code == 404, hidden
    own = ruo.get(url, {"id": [content.district_a_document.pk]})
    assert own.status_code == 200 and content.district_a_document.title in own.content.decode()


def test_an_image_bulk_action_names_no_image_the_user_may_not_choose(world, client_for, images):
    url = reverse("wagtail_bulk_action", args=["wagtailimages", "image", "delete"])
    ruo = client_for("own_ruo")
    assert ruo.get(url, {"id": [images["own"].pk, images["department"].pk]}).status_code == 404
    own = ruo.get(url, {"id": [images["own"].pk]})
    assert own.status_code == 200 and images["own"].title in own.content.decode()


def test_the_admin_api_lists_documents_and_images_in_the_scope(world, client_for, images):
    content = world.content
    ruo = client_for("own_ruo")
    listed = {row["title"] for row in ruo.get(reverse("wagtailadmin_api:documents:listing")).json()["items"]}
    assert content.district_a_document.title in listed
    assert not {content.district_c_document.title, content.department_document.title} & listed
    detail = "wagtailadmin_api:documents:detail"
    assert ruo.get(reverse(detail, args=[content.district_c_document.pk])).status_code == 404
    assert ruo.get(reverse(detail, args=[content.district_a_document.pk])).status_code == 200
    found = ruo.get(reverse("wagtailadmin_api:documents:listing"), {"search": "Службова"}).json()["items"]
    assert found == []
    titles = {row["title"] for row in ruo.get(reverse("wagtailadmin_api:images:listing")).json()["items"]}
    assert titles == {images["own"].title}
    everything = {
        row["title"] for row in client_for("don").get(reverse("wagtailadmin_api:images:listing")).json()["items"]
    }
    assert everything == {image.title for image in images.values()}


def _offered(response, name: str) -> set[int]:
    """The keys a report's filter ``name`` offers."""
    select = re.search(rf'<select name="{name}".*?</select>', response.content.decode(), re.S)
    assert select is not None, name
    return {int(key) for key in re.findall(r'<option value="(\d+)"', select.group())}


def test_the_locked_pages_and_workflow_reports_filter_by_users_in_the_scope(world, client_for):
    """Their "locked by" and "requested by" filters offered everyone who had locked a page or started a workflow,
    anywhere (``cms.pages.reports``)."""
    from cms.pages.experience import submit_article

    users = world.users
    draft = _draft(world.content.district_a_regulation.get_parent(), "Чернетка, яку редагує школа")
    for page, user in (
        (world.content.district_c_regulation, users["other_ruo"]),
        (world.content.district_a_regulation, users["own_ruo"]),
        (draft, users["school_a"]),
    ):
        page.locked, page.locked_by = True, user
        page.save()
    for school, author in ((world.school_c, users["school_c"]), (world.school_a, users["school_a"])):
        submit_article(author=author, school=school, title=f"Стаття {school.pk}", body="<p>Текст</p>")
    ruo, don = client_for("own_ruo"), client_for("don")
    locked = "wagtailadmin_reports:locked_pages"
    assert _offered(ruo.get(reverse(locked)), "locked_by") == {users["own_ruo"].pk, users["school_a"].pk}
    everyone = {users["own_ruo"].pk, users["other_ruo"].pk, users["school_a"].pk}
    assert _offered(don.get(reverse(locked)), "locked_by") == everyone
    workflow = "wagtailadmin_reports:workflow"
    assert _offered(ruo.get(reverse(workflow)), "requested_by") == {users["school_a"].pk}
    assert _offered(don.get(reverse(workflow)), "requested_by") == {users["school_a"].pk, users["school_c"].pk}
    results = ruo.get(reverse("wagtailadmin_reports:locked_pages_results"), {"locked_by": users["own_ruo"].pk})
    assert (
        world.content.district_a_regulation.title in results.content.decode()
        and draft.title not in results.content.decode()
    )


def test_the_admin_names_only_the_tags_of_documents_and_images_the_user_sees(world, client_for, images):
    """Wagtail's tag autocomplete and its listings' "popular tags" filters named every document's and image's tags
    (``cms.library.tags``)."""
    content = world.content
    content.department_document.tags.add("службове-листування")
    content.district_a_document.tags.add("семінар-району")
    images["other_district"].tags.add("свято-району-с")
    images["own"].tags.add("свято-району-а")
    ruo, don = client_for("own_ruo"), client_for("don")
    url = reverse("wagtailadmin_tag_autocomplete")
    for term, seen in (("служб", []), ("семінар", ["семінар-району"]), ("свято", ["свято-району-а"])):
        assert ruo.get(url, {"term": term}).json() == seen, term
    assert don.get(url, {"term": "с"}).json() == [
        "свято-району-а",
        "свято-району-с",
        "семінар-району",
        "службове-листування",
    ]
    with_model = reverse("wagtailadmin_tag_model_autocomplete", args=["taggit", "tag"])
    assert ruo.get(with_model, {"term": "служб"}).json() == []
    documents = ruo.get(reverse("wagtaildocs:index")).content.decode()
    assert "семінар-району" in documents and "службове-листування" not in documents
    assert "службове-листування" in don.get(reverse("wagtaildocs:index")).content.decode()
    listed = ruo.get(reverse("wagtailimages:index")).content.decode()
    assert "свято-району-а" in listed and "свято-району-с" not in listed


@pytest.mark.parametrize(
    "view", ["edit", "history", "usage", "workflow_history", "confirm_workflow_cancellation", "view_draft"]
)
def test_a_view_of_one_page_answers_404_for_a_page_the_admin_does_not_list(world, client_for, pages, view):
    """Most refused a page the user may not edit (403), but not all: a workflow's cancellation named its task."""
    ruo = client_for("own_ruo")
    for hidden in ("city_draft", "other_district"):
        assert ruo.get(reverse(f"wagtailadmin_pages:{view}", args=[pages[hidden].pk])).status_code == 404, hidden
    own = ruo.get(reverse(f"wagtailadmin_pages:{view}", args=[pages["own_draft"].pk]))
    assert own.status_code == 200


def _checked(response, name: str) -> set[int]:
    """The keys a listing's filter ``name`` of checkboxes offers."""
    html = response.json()["html"] if response["Content-Type"].startswith("application/json") else response.content
    html = html if isinstance(html, str) else html.decode()
    return {int(key) for key in re.findall(rf'<input[^>]*name="{name}"[^>]*value="(\d+)"', html)}


def test_the_explorer_filters_by_owners_and_editors_in_the_scope(world, client_for, pages):
    """Its "owner" and "edited by" filters offered everyone who owned or edited a page anywhere
    (``cms.pages.admin_listings``)."""
    from wagtail.models import PageLogEntry

    users = world.users
    for page, owner, editor in (
        (pages["other_district"], users["other_ruo"], users["school_c"]),
        (pages["own"], users["own_ruo"], users["school_a"]),
        (pages["own_draft"], users["school_a"], users["own_ruo"]),
    ):
        page.owner = owner
        page.save()
        PageLogEntry.objects.log_action(instance=page, action="wagtail.edit", user=editor)
    ruo, don = client_for("own_ruo"), client_for("don")
    section = pages["own"].get_parent().pk
    for url in (reverse("wagtailadmin_explore", args=[section]), reverse("wagtailadmin_explore_root")):
        listing = ruo.get(url, follow=True)
        assert users["own_ruo"].pk in _checked(listing, "owner"), url
        assert users["other_ruo"].pk not in _checked(listing, "owner"), url
        assert users["school_a"].pk in _checked(listing, "edited_by"), url
        assert users["school_c"].pk not in _checked(listing, "edited_by"), url
    results = ruo.get(reverse("wagtailadmin_explore_results", args=[section]), {"owner": users["own_ruo"].pk})
    assert pages["own"].title in results.content.decode() and pages["own_draft"].title not in results.content.decode()
    city = don.get(reverse("wagtailadmin_explore_root"))
    assert {users["own_ruo"].pk, users["other_ruo"].pk} <= _checked(city, "owner")
    assert {users["school_a"].pk, users["school_c"].pk} <= _checked(city, "edited_by")


def test_the_workflow_reports_filter_by_the_workflows_and_tasks_of_their_rows(world, client_for):
    """Their "workflow" and "task" filters named every district's workflow («Модерація статей: … район»)."""
    from wagtail.models import Task, Workflow

    from cms.pages.experience import submit_article

    users = world.users
    for school, author in ((world.school_c, users["school_c"]), (world.school_a, users["school_a"])):
        submit_article(author=author, school=school, title=f"Стаття {school.pk}", body="<p>Текст</p>")
    own = Workflow.objects.get(name__contains=world.district.name)
    other = Workflow.objects.get(name__contains=world.other_district.name)
    own_task, other_task = (Task.objects.get(name=workflow.name) for workflow in (own, other))
    ruo, don = client_for("own_ruo"), client_for("don")
    assert _offered(ruo.get(reverse("wagtailadmin_reports:workflow")), "workflow") == {own.pk}
    assert _offered(don.get(reverse("wagtailadmin_reports:workflow")), "workflow") >= {own.pk, other.pk}
    tasks = ruo.get(reverse("wagtailadmin_reports:workflow_tasks"))
    assert _offered(tasks, "workflow") == {own.pk} and _offered(tasks, "task") == {own_task.pk}
    tasks = don.get(reverse("wagtailadmin_reports:workflow_tasks"))
    assert _offered(tasks, "task") >= {own_task.pk, other_task.pk}
    assert other.name not in ruo.get(reverse("wagtailadmin_reports:workflow_tasks_results")).content.decode()


def test_the_image_chooser_offers_the_tags_of_images_the_user_may_choose(world, client_for, images):
    images["other_district"].tags.add("свято-району-с")
    images["own"].tags.add("свято-району-а")
    chooser = client_for("own_ruo").get(reverse("wagtailimages_chooser:choose")).json()["html"]
    assert "свято-району-а" in chooser and "свято-району-с" not in chooser
    assert "свято-району-с" in client_for("don").get(reverse("wagtailimages_chooser:choose")).json()["html"]


HUGE = 2**70


def test_an_object_named_by_what_is_no_key_answers_404(world, client_for):
    """The admin's views and the API answered 500 for «abc» and, on SQLite, for a key past 64 bits."""
    ruo = client_for("own_ruo")
    bulk = reverse("wagtail_bulk_action", args=["library", "librarydocument", "delete"])
    page_bulk = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    for url in (
        f"/admin/pages/{HUGE}/edit/",
        f"/admin/pages/{HUGE}/",
        f"/admin/images/chooser/{HUGE}/select_format/",
        "/admin/documents/chooser/chosen/abc/",
        "/admin/images/chooser/chosen/abc/",
        f"/admin/documents/chooser/chosen/{HUGE}/",
        f"{reverse('wagtailadmin_choose_page_chosen_multiple')}?id={HUGE}",
        f"{reverse('wagtailadmin_choose_page_chosen_multiple')}?id=abc",
        f"{reverse('wagtaildocs_chooser:chosen_multiple')}?id=abc",
        f"{reverse('wagtailimages_chooser:chosen_multiple')}?id=abc",
        f"{bulk}?id=abc",
        f"{bulk}?id={HUGE}",
        f"{page_bulk}?id=abc",
        f"{reverse('wagtailadmin_api:documents:find')}?id=abc",
        f"{reverse('wagtailadmin_api:images:find')}?id={HUGE}",
    ):
        assert ruo.get(url).status_code == 404, url
    for url in ("/api/v2/documents/find/?id=abc", f"/api/v2/pages/find/?id={HUGE}"):
        response = client_for("school_a").get(url)
        assert response.status_code == 404 and response.json() == {"message": "not found"}, url


def test_a_view_of_an_object_outside_the_scope_answers_404_not_a_redirect(world, client_for, pages, images):
    """A redirect away (Wagtail's refusal) told that the object is there."""
    content, ruo = world.content, client_for("own_ruo")
    regulation = RegulationPage._meta
    for hidden, own in ((pages["other_district"], pages["own"]), (pages["city_draft"], pages["own_draft"])):
        own_section = own.get_parent().pk
        for url, own_url in (
            (f"/admin/pages/{hidden.pk}/revisions/compare/earliest...latest/", None),
            (reverse("wagtailadmin_pages:add_subpage", args=[hidden.pk]), None),
            (
                reverse("wagtailadmin_pages:add", args=[regulation.app_label, regulation.model_name, hidden.pk]),
                reverse("wagtailadmin_pages:add", args=[regulation.app_label, regulation.model_name, own_section]),
            ),
            (reverse("wagtailadmin_pages:set_page_position", args=[hidden.pk]), None),
        ):
            assert ruo.get(url).status_code == 404, url
            if own_url:
                assert ruo.get(own_url).status_code == 200, own_url
    for url, own_url in (
        (
            reverse("wagtailimages:edit", args=[images["other_district"].pk]),
            reverse("wagtailimages:edit", args=[images["own"].pk]),
        ),
        (
            reverse("wagtaildocs:edit", args=[content.district_c_document.pk]),
            reverse("wagtaildocs:edit", args=[content.district_a_document.pk]),
        ),
        (
            reverse("wagtaildocs_chooser:chosen", args=[content.district_c_document.pk]),
            reverse("wagtaildocs_chooser:chosen", args=[content.district_a_document.pk]),
        ),
        (
            reverse("wagtailimages_chooser:chosen", args=[images["department"].pk]),
            reverse("wagtailimages_chooser:chosen", args=[images["own"].pk]),
        ),
    ):
        assert ruo.get(url).status_code == 404, url
        assert ruo.get(own_url).status_code == 200, own_url


def test_the_portal_serves_the_admin_views_it_replaces_as_wagtail_serves_its_own(world, client_for):
    """Only to a user with access to the admin, and never cached; a guarded view keeps its name."""
    from django.urls import resolve

    from cms.org.admin_views import NAMED_IN_PATH

    director = client_for("school_a")
    for url in ("/admin/tag-autocomplete/?term=с", "/admin/documents/", "/admin/reports/workflow/", "/admin/pages/1/"):
        assert director.get(url).status_code in (302, 403), url
    ruo = client_for("own_ruo")
    for url in ("/admin/documents/", "/admin/reports/locked/", "/admin/tag-autocomplete/?term=с"):
        response = ruo.get(url)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"], url
    for name, (_objects, arguments) in NAMED_IN_PATH.items():
        assert resolve(reverse(name, kwargs=dict.fromkeys(arguments, 1))).view_name == name


def test_a_district_office_uploads_images_to_its_collection_and_edits_them(world, client_for):
    """The views of one image answer for the office's own upload (``edit_multiple`` names it)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    ruo, collection = client_for("own_ruo"), district_collection(world.district).pk
    file = SimpleUploadedFile("foto.png", get_test_image_file().file.getvalue())
    added = ruo.post(reverse("wagtailimages:add_multiple"), {"files[]": file, "collection": collection}).json()
    assert added["success"], added
    edited = ruo.post(reverse("wagtailimages:edit_multiple", args=[added["image_id"]]), {})
    assert edited.status_code == 200 and edited.json()["success"] is False  # the form's fields are missing


def test_an_editor_works_on_pages_behind_a_view_restriction_it_does_not_pass(world, client_for, pages):
    """A password hides a page from the site's readers, not from those who may edit it: the department edited
    nothing behind one (404), not even the password itself; a district office still finds nothing there."""
    from wagtail.models import PageViewRestriction

    index = pages["city"].get_parent()
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.PASSWORD, password="таємно")
    don, ruo = client_for("don"), client_for("own_ruo")
    for url in (
        reverse("wagtailadmin_pages:edit", args=[pages["city"].pk]),
        reverse("wagtailadmin_pages:add", args=["pages", "regulationpage", index.pk]),
        reverse("wagtailadmin_pages:set_privacy", args=[index.pk]),
        reverse("wagtailadmin_explore", args=[index.pk]),
    ):
        assert don.get(url).status_code == 200, url
        assert ruo.get(url).status_code == 404, url


def test_a_page_workflow_view_names_only_the_tasks_of_that_page(world, client_for):
    """A workflow's preview at a task named the task of any workflow, another district's too, and an action on
    another page's task told that it is there (a redirect, where one not there answered 404)."""
    from wagtail.models import TaskState

    from cms.pages.experience import submit_article

    users = world.users
    own = submit_article(author=users["school_a"], school=world.school_a, title="Стаття А", body="<p>Текст</p>")
    other = submit_article(author=users["school_c"], school=world.school_c, title="Стаття C", body="<p>Текст</p>")
    own_state, other_state = (TaskState.objects.get(workflow_state__object_id=str(page.pk)) for page in (own, other))
    ruo = client_for("own_ruo")
    preview = "wagtailadmin_pages:workflow_preview"
    assert ruo.get(reverse(preview, args=[own.pk, own_state.task_id])).status_code == 200
    assert ruo.get(reverse(preview, args=[own.pk, other_state.task_id])).status_code == 404
    action = "wagtailadmin_pages:workflow_action"
    assert ruo.get(reverse(action, args=[own.pk, "approve", other_state.pk])).status_code == 404
    assert ruo.get(reverse(action, args=[own.pk, "approve", own_state.pk])).status_code == 200


def test_the_explorer_serves_every_page_type_as_wagtail_would(world):
    """The portal serves the explorer with one viewset (``cms.pages.admin_listings``): a viewset registered for a
    page type would be passed over."""
    from wagtail.admin.viewsets.pages import base_page_viewset, page_viewset_registry
    from wagtail.models import get_page_models

    for model in get_page_models():
        assert page_viewset_registry.get_by_type(model) is base_page_viewset, model
