import datetime as dt

import pytest
from django.utils import timezone

from cms.attendance.services import ClassReport


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


def report(name: str, enrolled: int, present: int, ill: int = 0, valid: int = 0, unexcused: int = 0, **extra):
    return ClassReport(
        class_name=name,
        enrolled=enrolled,
        present=present,
        absent_illness=ill,
        absent_valid=valid,
        absent_unexcused=unexcused,
        **extra,
    )
