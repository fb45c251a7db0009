from datetime import datetime

from django.db import connection
from wagtail.models import Page, PageViewRestriction

from cms.org import scope as scope_module
from cms.org.compiled import CompiledSelect
from cms.org.scope import read_once, scope_of, visible
from cms.pages.models import RegulationPage


def test_a_compiled_select_gives_the_rows_the_orm_gives(world):
    qs = Page.objects.order_by("pk").values_list("pk", "live", "first_published_at", "title")
    compiled = CompiledSelect.of(qs)
    rows = [tuple(row) for row in compiled.rows()]
    assert rows == list(qs)
    # Converted as the ORM converts them (SQLite stores a datetime as text and a boolean as an integer).
    assert any(isinstance(published, datetime) for _pk, _live, published, _title in rows)
    assert all(isinstance(live, bool) for _pk, live, _published, _title in rows)
    assert compiled.names == ("pk", "live", "first_published_at", "title")


def test_a_compiled_select_runs_a_statement_built_around_it(world):
    compiled = CompiledSelect.of(RegulationPage.objects.order_by().values("pk", "title"))
    page = world.content.city_regulation
    rows = compiled.rows(f'{compiled.sql} WHERE {connection.ops.quote_name("wagtailcore_page")}."id" = %s', [page.pk])
    assert [tuple(row) for row in rows] == [(page.pk, page.title)]


def test_the_scope_compiles_its_reads_once_and_reads_their_rows_each_time(world, monkeypatch):
    compiled = []
    original = CompiledSelect.of

    def spy(qs):
        compiled.append(qs.model)
        return original(qs)

    scope_module._compiled.cache_clear()
    monkeypatch.setattr(CompiledSelect, "of", spy)
    school = scope_of(world.users["school_a"])
    page = world.content.city_regulation
    with read_once():
        assert page in visible(school, RegulationPage)
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD, password="Kyiv-2026")
    with read_once():  # a later operation sees the new restriction
        assert page not in visible(school, RegulationPage)
    assert sorted(model.__name__ for model in compiled) == ["DistrictSectionPage", "PageViewRestriction"]
