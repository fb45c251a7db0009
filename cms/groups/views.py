from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cms.accounts.roles import has_capability
from cms.org.scope import editable, get_editable_or_404, get_visible_or_404, visible

from . import services
from .forms import AddMembersForm, CommunityForm
from .models import Community, Membership


def _require(user, capability: str) -> None:
    if not has_capability(user, capability):
        raise PermissionDenied


def community_list(request):
    _require(request.user, "communities")
    communities = visible(request.user, Community).annotate(member_count=Count("memberships", distinct=True))
    return render(
        request,
        "groups/community_list.html",
        {
            "communities": communities.order_by("kind", "name"),
            "can_manage": has_capability(request.user, "manage_communities"),
        },
    )


def community_detail(request, pk: int):
    community = get_visible_or_404(request.user, Community, pk=pk)
    memberships = community.memberships.select_related("school__district", "user").order_by(
        "school__short_name", "user__last_name"
    )
    can_manage = editable(request.user, Community).filter(pk=community.pk).exists()
    return render(
        request,
        "groups/community_detail.html",
        {"community": community, "memberships": memberships, "can_manage": can_manage},
    )


def community_create(request):
    _require(request.user, "manage_communities")
    form = CommunityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        community = services.create_thematic_community(
            name=form.cleaned_data["name"], description=form.cleaned_data["description"], actor=request.user
        )
        messages.success(request, _("Community created. Now add its members."))
        return redirect("communities:add_members", pk=community.pk)
    return render(request, "groups/community_form.html", {"form": form})


def community_add_members(request, pk: int):
    community = get_editable_or_404(request.user, Community, pk=pk)
    form = AddMembersForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        added = services.add_members(
            community=community,
            schools=form.cleaned_data["schools"],
            users=form.cleaned_data["users"],
            actor=request.user,
        )
        messages.success(request, _("Members added: %(count)d.") % {"count": added})
        return redirect("communities:detail", pk=community.pk)
    return render(request, "groups/add_members.html", {"form": form, "community": community})


@require_POST
def membership_remove(request, pk: int, membership_pk: int):
    community = get_editable_or_404(request.user, Community, pk=pk)
    membership = get_visible_or_404(request.user, Membership.objects.filter(community=community), pk=membership_pk)
    if membership.automatic:
        messages.error(request, _("District membership follows the registry and cannot be removed by hand."))
    else:
        services.remove_member(membership=membership, actor=request.user)
        messages.success(request, _("Member removed."))
    return redirect("communities:detail", pk=community.pk)
