"""Writes on communities: district communities kept in step with the registry; thematic ones by hand."""

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from cms.org.models import District, School

from .models import Community, Membership


@transaction.atomic
def sync_district_communities() -> dict[str, int]:
    """Every working school is an automatic member of its district's community, and of no other."""
    added = removed = 0
    for district in District.objects.all():
        community, _created = Community.objects.get_or_create(
            district=district,
            defaults={"name": _("Schools of %(district)s district") % {"district": district.name}, "kind": "district"},
        )
        wanted = set(School.objects.working().filter(district=district).values_list("pk", flat=True))
        current = set(
            Membership.objects.filter(community=community, school__isnull=False).values_list("school_id", flat=True)
        )
        Membership.objects.bulk_create(
            [Membership(community=community, school_id=pk, automatic=True) for pk in wanted - current]
        )
        removed += Membership.objects.filter(community=community, school_id__in=current - wanted).delete()[0]
        added += len(wanted - current)
    return {"added": added, "removed": removed}


@transaction.atomic
def create_thematic_community(*, name: str, description: str = "", actor) -> Community:
    from cms.accounts.permissions import community_collection

    community = Community.objects.create(name=name, description=description, kind="thematic", created_by=actor)
    community_collection(community)
    log(instance=community, action="wagtail.create", user=actor)
    return community


def add_members(*, community: Community, schools=(), users=(), actor) -> int:
    """Add schools and/or people to a thematic community; members already there are left as they are."""
    if community.kind != Community.Kind.THEMATIC:
        raise ValueError("District communities follow the registry.")
    added = 0
    with transaction.atomic():
        for school in schools:
            _obj, created = Membership.objects.get_or_create(community=community, school=school)
            added += created
        for user in users:
            _obj, created = Membership.objects.get_or_create(community=community, user=user)
            added += created
        if added:
            log(instance=community, action="communities.members_change", user=actor, data={"added": added})
    return added


def remove_member(*, membership: Membership, actor) -> None:
    if membership.automatic:
        raise ValueError("Automatic memberships follow the registry.")
    community = membership.community
    membership.delete()
    log(instance=community, action="communities.members_change", user=actor, data={"removed": 1})
