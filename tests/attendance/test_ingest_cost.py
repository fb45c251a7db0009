"""What a submission costs beyond its own writes: the database's work per statement (prepared statements on
PostgreSQL), the reads before the writes, and nothing seen stale for it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cms.org.models import School
from cms.org.scope import own_school, scope_of, visible

ROOT = Path(__file__).resolve().parent.parent.parent


def _database_options(**env) -> dict:
    code = "from django.conf import settings; print(repr(settings.DATABASES['default'].get('OPTIONS', {})))"
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    environ.update({"DJANGO_SETTINGS_MODULE": "cms.settings.dev", **env})
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return eval(result.stdout)  # noqa: S307 - the repr of a settings dict printed just above


POSTGRES = "postgres://ecab@127.0.0.1:5432/ecab"


@pytest.mark.parametrize(
    ("env", "threshold"),
    [({}, 5), ({"DATABASE_SERVER_SIDE_BINDING": "false"}, None)],
    ids=["server-side binding", "client-side binding"],
)
def test_postgresql_prepares_repeated_statements_when_it_binds_them(env, threshold):
    """Django passes ``prepare_threshold=None`` (no prepared statement at all) unless OPTIONS names one."""
    options = _database_options(DATABASE_URL=POSTGRES, **env)
    assert options["server_side_binding"] is (threshold is not None)
    assert options["prepare_threshold"] == threshold


def test_sqlite_gets_no_postgresql_options():
    options = _database_options(DATABASE_URL="sqlite:///" + str(ROOT / "var" / "options-check.sqlite3"))
    assert "prepare_threshold" not in options and "server_side_binding" not in options


# --- the school of a submission, read with the token --------------------------------------------------


@pytest.mark.parametrize("actor", ["school_a", "school_b", "school_c", "own_ruo", "other_ruo", "don", "site_admin"])
def test_own_school_is_the_one_school_the_scope_shows_a_school_account(world, actor):
    user = world.users[actor]
    schools = list(visible(user, School))
    expected = schools[0] if scope_of(user).is_school else None
    assert own_school(user) == expected
    if expected is not None:
        assert schools == [expected]


def test_a_school_role_without_a_school_has_no_own_school(world):
    user = world.users["school_a"]
    user.school = None
    user._ecab_scope = None
    assert own_school(user) is None
