from datetime import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Q
from wagtail.models import Page, PageViewRestriction

from cms.org import scope as scope_module
from cms.org.compiled import Argument, CompiledSelect
from cms.org.scope import read_once, scope_of, visible
from cms.pages.models import RegulationPage


def test_a_compiled_select_gives_the_rows_the_orm_gives(world):
    qs = Page.objects.order_by("pk").values_list("pk", "live", "first_published_at", "title")
    compiled = CompiledSelect.of(qs)
    rows = compiled.rows()
    assert rows == list(qs)
    assert all(type(row) is tuple for row in rows)
    # Converted as the ORM converts them (SQLite stores a datetime as text and a boolean as an integer).
    assert any(isinstance(published, datetime) for _pk, _live, published, _title in rows)
    assert all(isinstance(live, bool) for _pk, live, _published, _title in rows)
    assert compiled.names == ("pk", "live", "first_published_at", "title")


def test_a_compiled_select_runs_with_a_clause_after_it_and_its_parameters_after_its_own(world):
    compiled = CompiledSelect.of(Page.objects.filter(depth__gte=1).order_by().values_list("pk", "title"))
    page = world.content.city_regulation
    rows = compiled.rows(f' AND {connection.ops.quote_name("wagtailcore_page")}."id" = %s', [page.pk])
    assert rows == [(page.pk, page.title)]


def test_a_compiled_select_takes_its_arguments_each_time_it_runs(world):
    page, other = world.content.city_regulation, world.content.district_a_regulation
    qs = Page.objects.filter(Q(pk=Argument(1)) | Q(pk=Argument(2), live=True)).order_by("pk").values_list("pk", "title")
    compiled = CompiledSelect.of(qs, {"one": Argument(1), "other": Argument(2)})
    assert compiled.rows(one=page.pk, other=other.pk) == sorted([(page.pk, page.title), (other.pk, other.title)])
    assert compiled.rows(one=other.pk, other=None) == [(other.pk, other.title)]
    assert compiled.rows(one=None, other=None) == []
    with pytest.raises(TypeError):
        compiled.rows(one=page.pk)
    with pytest.raises(TypeError):
        compiled.rows(one=page.pk, other=other.pk, third=1)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Page.objects.filter(pk=1),  # no parameter of the argument's
        lambda: Page.objects.filter(depth=Argument(1)),  # out of a positive field's range: folded away
        lambda: Page.objects.filter(Q(depth=Argument(1)) | Q(pk=1)),  # the same, the rest kept
    ],
)
def test_an_argument_the_statement_has_no_parameter_for_is_refused(world, build):
    with pytest.raises(ImproperlyConfigured):
        CompiledSelect.of(build().values_list("pk"), {"depth": Argument(1)})


def test_only_a_plain_selection_of_columns_is_kept_compiled(world):
    with pytest.raises(ImproperlyConfigured):
        CompiledSelect.of(Page.objects.order_by("path").distinct().values_list("title"))


@pytest.fixture
def compiled_afresh():
    scope_module._compiled.cache_clear()
    yield
    scope_module._compiled.cache_clear()


def test_the_scope_compiles_its_reads_once_and_reads_their_rows_each_time(world, monkeypatch, compiled_afresh):
    from django.contrib.auth.models import Group

    compiled = []
    original = CompiledSelect.of

    def spy(qs, arguments=None):
        compiled.append(qs.model)
        return original(qs, arguments)

    monkeypatch.setattr(CompiledSelect, "of", spy)
    school = scope_of(world.users["school_a"])
    by_password, by_group = world.content.city_regulation, world.content.district_a_regulation
    with read_once():
        found = visible(school, RegulationPage)
        assert by_password in found and by_group in found
    PageViewRestriction.objects.create(
        page=by_password, restriction_type=PageViewRestriction.PASSWORD, password="Kyiv-2026"
    )
    restriction = PageViewRestriction.objects.create(page=by_group, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.create(name="Редактори архіву")])  # a group the school is not in
    with read_once():  # a later operation sees the new restrictions
        found = visible(school, RegulationPage)
        assert by_password not in found and by_group not in found
    assert sorted(model.__name__ for model in compiled) == ["DistrictSectionPage", "PageViewRestriction"]
