from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_community_actions(actions):
    actions.register_action("communities.members_change", _("Change members"), _("Members changed"))
