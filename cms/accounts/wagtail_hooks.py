from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_account_actions(actions):
    actions.register_action("accounts.role_change", _("Change role"), _("Role changed"))
    actions.register_action("accounts.groups_change", _("Change groups"), _("Groups changed"))
    actions.register_action("accounts.permissions_change", _("Change permissions"), _("Permissions changed"))
    actions.register_action("accounts.deactivated", _("Disable account"), _("Account disabled; sessions ended"))
