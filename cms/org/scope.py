"""The scope module: the one place that decides which objects a user may read and change.

Every view, API endpoint, export, search result and notification asks this module, through
``visible()``, ``editable()`` or ``get_visible_or_404()``. An object outside the user's scope is simply
not in the queryset, so views answer 404 and ids do not leak.

Levels: the department (ДОН) sees the city; a district office (РУО) its own district; a school itself
and what is addressed to it or its communities. A site administrator configures the portal: it reads the
organisation directory (to manage accounts) but no unit's content.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import router
from django.db.models import Model, Q, QuerySet, Subquery
from django.http import Http404

from .compiled import Argument, CompiledSelect
from .models import Level


@dataclass(frozen=True)
class Scope:
    level: str | None
    district_id: int | None = None
    school_id: int | None = None
    user_id: int | None = None
    role: str = ""

    @property
    def is_city(self) -> bool:
        return self.level == Level.CITY

    @property
    def is_district(self) -> bool:
        return self.level == Level.DISTRICT

    @property
    def is_school(self) -> bool:
        return self.level == Level.SCHOOL

    @property
    def is_site_admin(self) -> bool:
        from cms.accounts.roles import Role

        return self.role == Role.SITE_ADMIN


NO_SCOPE = Scope(level=None)


def scope_of(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_ecab_scope", None)
    if cached is None:
        cached = user._ecab_scope = _compute_scope(user)
    return cached


def _compute_scope(user) -> Scope:
    if user.is_superuser:
        from cms.accounts.roles import Role

        return Scope(level=None, user_id=user.pk, role=Role.SITE_ADMIN)
    level = user.level
    if (level == Level.SCHOOL and user.school_id is None) or (level == Level.DISTRICT and user.district_id is None):
        # A unit's role without its unit (written around the account form, which refuses it) acts for no unit
        # and reads nothing: compared with a missing key, the rules' conditions read as "IS NULL" and matched the
        # accounts, memberships and schools that have no unit.
        return Scope(level=None, user_id=user.pk, role=user.role)
    if level == Level.SCHOOL:
        return Scope(
            level=level, district_id=user.school.district_id, school_id=user.school_id, user_id=user.pk, role=user.role
        )
    if level == Level.DISTRICT:
        return Scope(level=level, district_id=user.district_id, user_id=user.pk, role=user.role)
    return Scope(level=level, user_id=user.pk, role=user.role)


# --- reading a rule's data once per operation --------------------------------------------------

_read_once: ContextVar[dict | None] = ContextVar("ecab_scope_read_once", default=None)


@contextmanager
def read_once() -> Iterator[None]:
    """Within the block, what the rules read from the database (district sections, view restrictions,
    readable collections) is read once per scope and reused.

    For an operation that asks ``visible()`` about several models or several times, such as a search over six
    content types. Outside such a block every call reads afresh; nothing outlives the block, so a change
    made after it (a new view restriction, a collection's audience) is seen by the next operation."""
    if _read_once.get() is not None:
        yield
        return
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def once_per_block(fn):
    """``fn`` (a read whose arguments are hashable) called once per argument tuple inside a :func:`read_once`
    block, afresh outside one."""

    @functools.wraps(fn)
    def wrapper(*args):
        memo = _read_once.get()
        if memo is None:
            return fn(*args)
        key = (fn.__module__, fn.__qualname__, *args)
        if key not in memo:
            memo[key] = fn(*args)
        return memo[key]

    return wrapper


Rule = Callable[[Scope, QuerySet], QuerySet]
_read_rules: dict[str, Rule] = {}
_write_rules: dict[str, Rule] = {}


def read_rule(label: str):
    def register(fn: Rule) -> Rule:
        _read_rules[label] = fn
        return fn

    return register


def write_rule(label: str):
    def register(fn: Rule) -> Rule:
        _write_rules[label] = fn
        return fn

    return register


def _queryset(model_or_qs) -> QuerySet:
    if isinstance(model_or_qs, QuerySet):
        return model_or_qs
    return model_or_qs._default_manager.all()


def _rule_for(rules: dict[str, Rule], model) -> Rule:
    """The rule of the model, or of its nearest concrete parent (every Wagtail page type uses Page's)."""
    for klass in model.__mro__:
        meta = getattr(klass, "_meta", None)
        if meta is not None and not meta.abstract and meta.label in rules:
            return rules[meta.label]
    raise ImproperlyConfigured(f"The scope module has no rule for {model._meta.label}.")


def _apply(rules: dict[str, Rule], user, model_or_qs) -> QuerySet:
    qs = _queryset(model_or_qs)
    rule = _rule_for(rules, qs.model)
    scope = user if isinstance(user, Scope) else scope_of(user)
    if scope.level is None and not scope.is_site_admin:
        return qs.none()
    return rule(scope, qs)


def own_school(user):
    """The school a school-level account acts for: the one school ``visible(user, School)`` holds for it,
    as loaded with the account (the API's token read joins the school and its district), without reading
    it again. None for every other level, and for a school role without a school."""
    scope = scope_of(user)
    if not scope.is_school or scope.school_id is None:
        return None
    return user.school


def visible(user, model_or_qs) -> QuerySet:
    """The objects ``user`` may read."""
    return _apply(_read_rules, user, model_or_qs)


def editable(user, model_or_qs) -> QuerySet:
    """The objects ``user`` may change."""
    return _apply(_write_rules, user, model_or_qs)


def _get_or_404(qs: QuerySet, lookup: dict) -> Model:
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError):
        raise Http404 from None


def get_visible_or_404(user, model_or_qs, **lookup) -> Model:
    return _get_or_404(visible(user, model_or_qs), lookup)


def get_editable_or_404(user, model_or_qs, **lookup) -> Model:
    return _get_or_404(editable(user, model_or_qs), lookup)


# --- organisation -----------------------------------------------------------------------------


@read_rule("org.District")
def districts_read(scope: Scope, qs: QuerySet) -> QuerySet:
    if scope.is_city or scope.is_site_admin:
        return qs
    return qs.filter(pk=scope.district_id)


@write_rule("org.District")
def districts_write(scope: Scope, qs: QuerySet) -> QuerySet:
    return qs.none()


@read_rule("org.School")
def schools_read(scope: Scope, qs: QuerySet) -> QuerySet:
    if scope.is_city or scope.is_site_admin:
        return qs
    if scope.is_district:
        return qs.filter(district_id=scope.district_id)
    return qs.filter(pk=scope.school_id)


@write_rule("org.School")
def schools_write(scope: Scope, qs: QuerySet) -> QuerySet:
    """The registry is the source of school data; nobody edits it in the portal."""
    return qs.none()


# --- accounts ---------------------------------------------------------------------------------


@read_rule("accounts.User")
def users_read(scope: Scope, qs: QuerySet) -> QuerySet:
    """Who a user may see in directories and member lists: staff of units in its scope."""
    if scope.is_city or scope.is_site_admin:
        return qs
    if scope.is_district:
        return qs.filter(Q(district_id=scope.district_id) | Q(school__district_id=scope.district_id))
    return qs.filter(school_id=scope.school_id)


@write_rule("accounts.User")
def users_write(scope: Scope, qs: QuerySet) -> QuerySet:
    """Only site administrators manage accounts; school and district roles never do."""
    return qs if scope.is_site_admin else qs.none()


# --- communities ------------------------------------------------------------------------------


@read_rule("communities.Community")
def communities_read(scope: Scope, qs: QuerySet) -> QuerySet:
    """The department sees every community; a district office its district's community and those its schools
    or its people are in; a school those it or its people are in."""
    from cms.groups.models import Membership

    if scope.is_city:
        return qs
    if scope.is_site_admin:
        return qs.none()
    if scope.is_district:
        members = Membership.objects.filter(Q(user_id=scope.user_id) | Q(school__district_id=scope.district_id)).values(
            "community_id"
        )
        return qs.filter(Q(district_id=scope.district_id) | Q(pk__in=members))
    members = Membership.objects.filter(Q(school_id=scope.school_id) | Q(user_id=scope.user_id))
    return qs.filter(pk__in=members.values("community_id"))


@write_rule("communities.Community")
def communities_write(scope: Scope, qs: QuerySet) -> QuerySet:
    """The department manages thematic communities; district communities follow the registry."""
    from cms.accounts.roles import Role

    if scope.is_city and scope.role in {Role.DON_ADMIN, Role.DON_EDITOR}:
        return qs.filter(kind="thematic")
    return qs.none()


@read_rule("communities.Membership")
def memberships_read(scope: Scope, qs: QuerySet) -> QuerySet:
    from cms.groups.models import Community

    return qs.filter(community__in=visible(scope, Community).values("pk"))


# --- pages -----------------------------------------------------------------------------------


def subtree(path: str) -> Q:
    """Pages at ``path`` and under it, as a range of paths: the same set as ``path__startswith``, but a range
    is served by the path index on PostgreSQL whatever the collation and is compared natively on SQLite,
    where LIKE is a Python function in this project (``cms.org.sqlite``) and cost ~1 µs per row and prefix
    in a search's scope check. Paths are made of the tree's alphabet (digits and capital letters), so every
    path under ``path`` lies between it and it followed by the alphabet's last letter up to the column's length.
    Wagtail's OpenSearch backend compiles a range filter as well as a prefix."""
    return Q(path__range=subtree_bounds(path))


def subtree_bounds(path: str) -> tuple[str, str]:
    """The range of paths of :func:`subtree`."""
    from wagtail.models import Page

    return path, path + max(Page.alphabet) * (Page._meta.get_field("path").max_length - len(path))


@once_per_block
def _district_section_paths() -> list[tuple[str, int]]:
    from cms.pages.models import DistrictSectionPage

    return _compiled(DistrictSectionPage, _district_sections, router.db_for_read(DistrictSectionPage)).rows()


def _district_sections(manager) -> QuerySet:
    # No ordering: by path (the page tree's default) SQLite walks the whole page index to avoid a sort.
    return manager.order_by().values_list("path", "district_id")


@once_per_block
def _restricted_paths(scope: Scope) -> list[str]:
    """Pages behind a Wagtail view restriction the user does not pass (a group it is not in, or a password,
    which only Wagtail's own form can check), as Wagtail's API does. One statement when no restriction names
    groups, two when some do, however many there are."""
    from wagtail.models import PageViewRestriction

    restrictions = _compiled(PageViewRestriction, _view_restrictions, router.db_for_read(PageViewRestriction)).rows()
    by_groups = [pk for pk, kind, _path in restrictions if kind == PageViewRestriction.GROUPS]
    passed = set()
    if by_groups and scope.user_id:
        passed = set(
            PageViewRestriction.groups.through.objects.filter(
                pageviewrestriction_id__in=by_groups, group_id__in=_group_ids(scope.user_id)
            ).values_list("pageviewrestriction_id", flat=True)
        )
    return [path for pk, _kind, path in restrictions if pk not in passed]


def _view_restrictions(manager) -> QuerySet:
    from wagtail.models import PageViewRestriction

    return (
        manager.exclude(restriction_type=PageViewRestriction.LOGIN)
        .order_by()
        .values_list("pk", "restriction_type", "page__path")
    )


@functools.cache
def _compiled(model, build: Callable[..., QuerySet], alias: str, arguments: tuple[str, ...] = ()) -> CompiledSelect:
    """``build(manager)``, a read of ``model`` on the database ``alias``, compiled once per process and database
    (twice, harmlessly, when two threads ask first at once; :mod:`cms.org.compiled`): read by every scoped
    operation, its ORM query cost ~0.2 ms to build and compile, ten times the statement on SQLite
    (``benchmarks/search_profile.py``, a search); the readable collections' 1.5 ms. The rows are read afresh
    each time, with the values of the ``arguments`` it names (built with those of ``_ARGUMENTS``)."""
    return CompiledSelect.of(
        build(model._default_manager.db_manager(alias)), {name: _ARGUMENTS[name] for name in arguments}
    )


def _group_ids(user_id: int) -> QuerySet:
    from django.contrib.auth import get_user_model

    return get_user_model().groups.through.objects.filter(user_id=user_id).values("group_id")


def pages_outside(user) -> Q | None:
    """The condition matching pages outside the user's scope: other districts' sections, and pages behind
    a view restriction the user does not pass. None when nothing is hidden."""
    districts, restricted = _pages_outside_by_kind(user)
    return (districts | restricted) or None


def _pages_outside_by_kind(user) -> tuple[Q, Q]:
    """The two parts of :func:`pages_outside`: other districts' sections, and the pages behind a view restriction
    the user does not pass (each an empty ``Q`` when there is none)."""
    scope = user if isinstance(user, Scope) else scope_of(user)
    districts = Q()
    if not scope.is_city:
        for path, district_id in _district_section_paths():
            if scope.is_site_admin or district_id != scope.district_id:
                districts |= subtree(path)
    restricted = Q()
    for path in _restricted_paths(scope):
        restricted |= subtree(path)
    return districts, restricted


def pages_hidden_in_admin(user) -> Q | None:
    """The condition matching pages the Wagtail admin lists not to ``user`` (the explorer, the page chooser, a
    bulk action's pages, the views of one page): other districts' sections, and the drafts and the pages behind a
    view restriction the user does not pass that it may not explore (edit, or pass through to a page to edit).
    Wagtail's page chooser lists every page, so a district office read the titles of the department's drafts
    there, not yet public; an editor edits a page behind a password. None when nothing is hidden."""
    from wagtail.permissions import page_permission_policy

    districts, restricted = _pages_outside_by_kind(user)
    if user.is_superuser:
        return districts or None
    unexplorable = ~Q(pk__in=page_permission_policy.explorable_instances(user).values("pk"))
    return districts | ((Q(live=False) | restricted) & unexplorable)


def pages_in_admin(user) -> QuerySet:
    """The pages the Wagtail admin lists to ``user``: all but those :func:`pages_hidden_in_admin`."""
    from wagtail.models import Page

    hidden = pages_hidden_in_admin(user)
    return Page.objects.exclude(hidden) if hidden is not None else Page.objects.all()


def images_in_admin(user) -> QuerySet:
    """The images the Wagtail admin shows ``user``: those of the collections the user may choose images from, as
    Wagtail's image chooser lists them (images have no rule of their own: the library's documents carry the
    portal's files)."""
    from wagtail.images.permissions import permission_policy

    return permission_policy.instances_user_has_any_permission_for(user, ["choose"])


@read_rule("wagtailcore.Page")
def pages_read(scope: Scope, qs: QuerySet) -> QuerySet:
    """Live pages; a district section and everything under it only for that district (and the city).

    Editors see drafts in the Wagtail admin, which applies its own page permissions."""
    qs = qs.filter(live=True)
    if scope.is_site_admin:
        return qs.none()
    hidden = pages_outside(scope)
    return qs.exclude(hidden) if hidden else qs


@write_rule("wagtailcore.Page")
def pages_write(scope: Scope, qs: QuerySet) -> QuerySet:
    """Page editing happens in the Wagtail admin under its page permissions (``setup_roles``)."""
    return qs.none()


# --- document library ------------------------------------------------------------------------


@once_per_block
def readable_collection_paths(scope: Scope) -> list[str] | None:
    """Paths of the collections whose documents the scope may read; None means all of them. One statement,
    compiled once per process (the school's, the district's, the account's keys given each time; a school the
    city manages has no district, and reads no district's collections)."""
    from cms.library.models import CollectionAudience

    if scope.is_city:
        return None
    if scope.is_site_admin:
        return []
    alias = router.db_for_read(CollectionAudience)
    if scope.is_school:
        read = _compiled(CollectionAudience, _school_audiences, alias, ("school", "user", "district"))
        rows = read.rows(school=scope.school_id, user=scope.user_id, district=scope.district_id)
    else:
        read = _compiled(CollectionAudience, _district_audiences, alias, ("user", "district"))
        rows = read.rows(user=scope.user_id, district=scope.district_id)
    return [path for (path,) in rows]


#: What the reads compiled once are built with for the values given each time (:func:`_compiled`).
_ARGUMENTS = {"school": Argument(1), "user": Argument(2), "district": Argument(3)}


def _school_audiences(manager) -> QuerySet:
    """The paths of the collections addressed to the city, to the school's district, or to a community the
    school or the account is a member of."""
    from cms.groups.models import Membership

    members = Membership.objects.filter(Q(school_id=_ARGUMENTS["school"]) | Q(user_id=_ARGUMENTS["user"]))
    return _audiences(manager, members)


def _district_audiences(manager) -> QuerySet:
    """As :func:`_school_audiences` for a district office: a community its account or one of its district's
    schools is a member of."""
    from cms.groups.models import Membership

    members = Membership.objects.filter(Q(user_id=_ARGUMENTS["user"]) | Q(school__district_id=_ARGUMENTS["district"]))
    return _audiences(manager, members)


def _audiences(manager, members: QuerySet) -> QuerySet:
    audience = Q(level="city") | Q(level="district", district_id=_ARGUMENTS["district"])
    audience |= Q(level="community", community_id__in=members.values("community_id"))
    return manager.filter(audience).order_by().values_list("collection__path")


@once_per_block
def _collection_ids_under(paths: tuple[str, ...]) -> list[int]:
    """The collections at ``paths`` and under them: every collection's path read (a library has tens of them;
    one statement compiled once) and compared here."""
    from wagtail.models import Collection

    collections = _compiled(Collection, _collection_paths, router.db_for_read(Collection)).rows()
    return [pk for pk, path in collections if path.startswith(paths)]


def _collection_paths(manager) -> QuerySet:
    return manager.order_by().values_list("pk", "path")


@once_per_block
def district_collection_ids(district_id: int) -> list[int]:
    """The collections of a district's documents: the one addressed to the district and those under it
    (sub-collections inherit their parent's audience, as :func:`documents_read` reads them)."""
    from wagtail.models import Collection

    from cms.library.models import CollectionAudience

    # One statement: a district has one collection addressed to it (its audience is one to one).
    addressed = CollectionAudience.objects.filter(district_id=district_id).values("collection__path")[:1]
    return list(Collection.objects.filter(path__startswith=Subquery(addressed)).values_list("pk", flat=True))


@read_rule("library.LibraryDocument")
def documents_read(scope: Scope, qs: QuerySet) -> QuerySet:
    """Documents in collections whose audience includes the user (sub-collections inherit); a collection
    without an audience belongs to the department. Filtering on the collection id (an indexed filter
    field) keeps the rule usable inside search queries on every backend."""
    paths = readable_collection_paths(scope)
    return qs if paths is None else qs.filter(collection_id__in=_collection_ids_under(tuple(paths)))


@write_rule("library.LibraryDocument")
def documents_write(scope: Scope, qs: QuerySet) -> QuerySet:
    """Documents are edited in the Wagtail admin under its collection permissions."""
    return qs.none()
