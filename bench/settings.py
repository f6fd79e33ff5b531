"""Settings for `make bench`: MotionHub's own, on a database of the bench's own.

The bench seeds 100 000 tasks, so it must never run against the development database or the
test database: it uses a SQLite file under var/bench/ (or BENCH_DATABASE_URL), and refuses a
URL that names either of those.
"""

from __future__ import annotations

import os

import environ

from motionhub.settings import *  # noqa: F403
from motionhub.settings import DATA_DIR, DATABASES

_dev = DATABASES["default"]
_dev_names = {str(_dev.get("NAME")), str(_dev.get("TEST", {}).get("NAME"))}

BENCH_DIR = DATA_DIR / "bench"
_url = os.environ.get("BENCH_DATABASE_URL", "")
if _url:
    _bench = environ.Env.db_url_config(_url)
    if _url == os.environ.get("DATABASE_URL") or str(_bench.get("NAME")) in {
        *_dev_names,
        "test_" + str(_dev.get("NAME")),
    }:
        raise SystemExit("BENCH_DATABASE_URL names the development or test database: refusing.")
else:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    _bench = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BENCH_DIR / "bench.sqlite3")}
if _bench["ENGINE"] == "django.db.backends.sqlite3":
    # The same tuning as the product's SQLite (settings.py): what a real deployment runs.
    _bench["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
    _bench["TEST"] = {"NAME": str(BENCH_DIR / "unused-test.sqlite3")}
else:
    _bench.setdefault("CONN_MAX_AGE", 60)
DATABASES = {"default": _bench}

# Measure what production runs: no per-query debug bookkeeping. Static files come from the
# app folders as in development, so no collectstatic is needed.
DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "bench.urls"
MEDIA_ROOT = BENCH_DIR / "media"
# The bench signs people in with force_login; nobody's password is ever checked.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
