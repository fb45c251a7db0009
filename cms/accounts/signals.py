"""Session bookkeeping and the audit trail of role, group and permission changes."""

import time

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from wagtail.log_actions import log
from wagtail.models import GroupCollectionPermission, GroupPagePermission

from .middleware import SESSION_STARTED_KEY
from .models import User, UserSession


def remember_session(request, user) -> None:
    """Record the request's current session as one of the user's (after login or a key change)."""
    request.session[SESSION_STARTED_KEY] = request.session.get(SESSION_STARTED_KEY) or time.time()
    request.session.save()
    UserSession.objects.update_or_create(session_key=request.session.session_key, defaults={"user": user})


@receiver(user_logged_in)
def on_logged_in(sender, request, user, **kwargs):
    request.session[SESSION_STARTED_KEY] = time.time()
    remember_session(request, user)


@receiver(user_logged_out)
def on_logged_out(sender, request, user, **kwargs):
    if user is not None and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


@receiver(pre_save, sender=User)
def remember_previous_state(sender, instance: User, raw=False, **kwargs):
    if instance.pk and not raw:
        previous = User.objects.filter(pk=instance.pk).values("is_active", "is_superuser", "is_staff").first()
        instance._previous_state = previous


@receiver(post_save, sender=User)
def on_user_saved(sender, instance: User, created: bool, raw=False, **kwargs):
    """Disabling a user ends all their sessions at once; superuser/staff flag changes are audited."""
    from .services import end_all_sessions

    if raw:  # loading fixtures or restoring data: nothing happened to audit
        return
    previous = getattr(instance, "_previous_state", None)
    if not previous:
        return
    if previous["is_active"] and not instance.is_active:
        end_all_sessions(instance)
        log(instance=instance, action="accounts.deactivated")
    changed = {
        flag: getattr(instance, flag)
        for flag in ("is_superuser", "is_staff")
        if previous[flag] != getattr(instance, flag)
    }
    if changed:
        log(instance=instance, action="accounts.permissions_change", data={"flags": changed})


@receiver(m2m_changed, sender=User.groups.through)
def on_user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # group.user_set changed: log on each user
        for user in User.objects.filter(pk__in=pk_set or []):
            log(instance=user, action="accounts.groups_change", data={action: [instance.name]})
        return
    names = sorted(Group.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
    log(instance=instance, action="accounts.groups_change", data={action: names})


@receiver(m2m_changed, sender=User.user_permissions.through)
def on_user_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and not reverse:
        codenames = sorted(Permission.objects.filter(pk__in=pk_set or []).values_list("codename", flat=True))
        log(instance=instance, action="accounts.permissions_change", data={action: codenames})


@receiver(m2m_changed, sender=Group.permissions.through)
def on_group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and not reverse:
        codenames = sorted(Permission.objects.filter(pk__in=pk_set or []).values_list("codename", flat=True))
        log(instance=instance, action="accounts.permissions_change", data={action: codenames})


@receiver([post_save, post_delete], sender=GroupPagePermission)
@receiver([post_save, post_delete], sender=GroupCollectionPermission)
def on_wagtail_permission_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    target = getattr(instance, "page", None) or getattr(instance, "collection", None)
    verb = "removed" if kwargs.get("signal") is post_delete else "granted"
    log(
        instance=instance.group,
        action="accounts.permissions_change",
        data={verb: f"{instance.permission.codename} @ {target}"},
    )
