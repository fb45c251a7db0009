"""Settings for benchmarks/login_throughput.py only, never for a deployment.

The developer defaults (cms.settings.dev) with the password step as the whole sign-in, a benchmark-only
URLconf that adds a trivial view for the baseline, and static/media files kept in the benchmark's temp dir.
DEBUG, DATABASE_URL and LOGIN_IP_RATE come from the environment the benchmark sets.
"""

from pathlib import Path

from cms.settings.dev import *  # noqa: F403
from cms.settings.dev import env

TWO_FACTOR_REQUIRED_ROLES = []
ROOT_URLCONF = "benchmarks.bench_urls"

_tmp = env.str("ECAB_BENCH_TMP", default="")
if _tmp:
    STATIC_ROOT = Path(_tmp) / "static"
    MEDIA_ROOT = Path(_tmp) / "media"
    ECAB_ACCOUNTS_FILE_DIR = Path(_tmp) / "accounts"
