"""Attendance submitted the one real way, through the submission service, for the dashboard tests."""

import datetime as dt

from cms.attendance.services import ClassReport, submit_attendance, today

# School A's classes (1-А 25, 5-А 28, 5-Б 27), B's 1-А (30) and C's 5-А (26): see tests/conftest.py.
PLAIN = {"1-А": 25, "5-А": 28, "5-Б": 27}


def report(name: str, enrolled: int, *, ill: int = 0, valid: int = 0, unexcused: int = 0, **extra) -> ClassReport:
    return ClassReport(
        class_name=name,
        enrolled=enrolled,
        present=enrolled - ill - valid - unexcused,
        absent_illness=ill,
        absent_valid=valid,
        absent_unexcused=unexcused,
        **extra,
    )


def submit(world, actor: str, school, reports: list[ClassReport], date: dt.date | None = None):
    """Submit as the school's director; a past ``date`` is submitted as if it were that day."""
    date = date or today()
    return submit_attendance(
        school=school, date=date, reports=reports, user=world.users[actor], source="form", now=date
    )
