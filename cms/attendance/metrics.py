"""Shares shown on the dashboards, computed from totals (a class, school, district or the city on a day or
a period). ``static/attendance/live.js`` computes the same shares from live events: keep the two in step."""

from decimal import ROUND_HALF_UP, Decimal

# Upper bounds (%, exclusive) of the map's colour classes by share absent; the last class is open.
ABSENT_BUCKETS = (5, 10, 15, 20)


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def shares(totals) -> dict[str, Decimal | None]:
    """Shares (%) from an object or dict with the count fields."""
    get = totals.get if isinstance(totals, dict) else lambda name, default=0: getattr(totals, name, default)
    enrolled, present = get("enrolled", 0) or 0, get("present", 0) or 0
    illness, valid, unexcused = (get(n, 0) or 0 for n in ("absent_illness", "absent_valid", "absent_unexcused"))
    return {
        "present_share": _share(present, enrolled),
        "absent_share": _share(illness + valid + unexcused, enrolled),
        "illness_share": _share(illness, enrolled),
        "unexcused_share": _share(unexcused, enrolled),
        "remote_share": _share(get("remote", 0) or 0, enrolled),
        "shelter_share": _share(get("in_shelter", 0) or 0, present),
    }


def absent_bucket(absent_share: Decimal | None) -> int | None:
    """The map colour class (0–4) of a share absent; None without data."""
    if absent_share is None:
        return None
    return next((i for i, bound in enumerate(ABSENT_BUCKETS) if absent_share < bound), len(ABSENT_BUCKETS))
