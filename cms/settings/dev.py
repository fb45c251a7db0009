"""Embedded default for a developer's machine: SQLite, database search, console mail."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
# The demo accounts sign in without a second factor on the embedded default so a newcomer can look
# around at once; set TWO_FACTOR_REQUIRED_ROLES to enforce TOTP as production does.
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=[])
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="Kyiv-Demo-2026!")
