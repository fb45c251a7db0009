from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "cms.groups"
    label = "communities"
    verbose_name = _("Communities")
