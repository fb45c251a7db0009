from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_attendance_actions(actions):
    actions.register_action("attendance.submit", _("Submit attendance"), _("Attendance submitted"))
    actions.register_action("attendance.api_key", _("Issue an API key"), _("E-journal API key issued"))
