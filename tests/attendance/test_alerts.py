"""Alerts: raised once per class, rule and episode; e-mailed once to the district office and the department."""

import datetime as dt

from django.core import mail

from cms.attendance.alerts import send_alert_mail
from cms.attendance.models import Alert, AttendanceSettings
from cms.attendance.services import submit_attendance
from tests.attendance.conftest import report
from tests.factories import make_user


def submit(world, date, ill, present=None, name="5-А", enrolled=28):
    present = enrolled - ill if present is None else present
    return submit_attendance(
        school=world.school_a,
        date=date,
        reports=[report(name, enrolled, present, ill=ill)],
        user=world.users["school_a"],
        source="form",
    )


def test_a_class_over_the_threshold_raises_one_alert_and_one_mail(world, today, django_capture_on_commit_callbacks):
    make_user("don_analyst", username="analyst", email="analyst@example.invalid")
    world.users["own_ruo"].email = "ruo-a@example.invalid"
    world.users["own_ruo"].save()
    world.users["other_ruo"].email = "ruo-c@example.invalid"
    world.users["other_ruo"].save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit(world, today, ill=6)  # 21.4 %
    assert [a.rule for a in submission.alerts] == [Alert.Rule.ILLNESS_SHARE]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["analyst@example.invalid", "ruo-a@example.invalid"]
    assert "клас 5-А: 21,4% відсутні через хворобу" in message.body
    for ill in (7, 6, 8):  # corrections of the same day: no new alert, no new mail
        with django_capture_on_commit_callbacks(execute=True):
            submit(world, today, ill=ill)
    assert Alert.objects.count() == 1
    assert len(mail.outbox) == 1
    assert Alert.objects.get().emailed_at is not None


def test_under_the_threshold_nothing_is_raised(world, today):
    submission = submit(world, today, ill=5)  # 17.9 % < 20 %
    assert submission.alerts == [] and not Alert.objects.exists()


def test_a_run_of_days_raises_one_streak_alert(world, today):
    config = AttendanceSettings.load()
    config.illness_share, config.streak_share, config.streak_days, config.edit_days = 50, 15, 3, 14
    config.save()
    days = [today - dt.timedelta(days=n) for n in (5, 4, 3, 2, 1)]
    for day in days:
        submit(world, day, ill=5)  # 17.9 % every day
    streaks = Alert.objects.filter(rule=Alert.Rule.ILLNESS_STREAK)
    assert [(a.date, a.days) for a in streaks] == [(days[2], 3)]
    submit(world, today, ill=1)  # the run ends
    submit(world, today, ill=5)  # ... and a corrected today continues it: still the same episode
    assert streaks.count() == 1


def test_a_new_episode_after_a_break_raises_again(world, today):
    config = AttendanceSettings.load()
    config.illness_share, config.streak_days, config.edit_days = 50, 2, 14
    config.save()
    for offset, ill in ((6, 5), (5, 5), (4, 0), (3, 5), (2, 5)):
        submit(world, today - dt.timedelta(days=offset), ill=ill)
    assert Alert.objects.filter(rule=Alert.Rule.ILLNESS_STREAK).count() == 2


def test_a_repeated_mail_task_sends_nothing_more(world, today, django_capture_on_commit_callbacks):
    world.users["own_ruo"].email = "ruo-a@example.invalid"
    world.users["own_ruo"].save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(world, today, ill=10)
    assert len(mail.outbox) == 1
    mail.outbox.clear()
    assert send_alert_mail.call([a.pk for a in Alert.objects.all()]) == 0
    assert mail.outbox == []


def test_alerts_are_read_within_scope(world, today):
    from cms.org.scope import visible

    submit(world, today, ill=10)
    seen = {actor: visible(world.users[actor], Alert).count() for actor in world.users}
    assert seen == {
        "school_a": 1,
        "school_b": 0,
        "school_c": 0,
        "own_ruo": 1,
        "other_ruo": 0,
        "don": 1,
        "site_admin": 0,
    }
