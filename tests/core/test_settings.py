"""Settings come from the environment with safe defaults."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'name': s.DATABASES['default']['NAME'], 'q': s.Q_CLUSTER, 'debug': s.DEBUG, "
    "'storage': s.STORAGES['staticfiles']['BACKEND']}))"
)


def _settings_with(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    clean.update(env, DJANGO_SETTINGS_MODULE="motionhub.settings")
    out = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT, env=clean, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_defaults_are_sqlite_and_the_orm_broker():
    values = _settings_with()

    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["q"]["orm"] == "default" and "redis" not in values["q"]


def test_database_url_and_redis_url_switch_to_postgresql_and_redis():
    values = _settings_with(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/motion",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )

    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "motion"
    assert values["q"]["redis"] == "redis://127.0.0.1:6379/3" and "orm" not in values["q"]


def test_production_mode_serves_compressed_static_files():
    values = _settings_with(DEBUG="0")

    assert values["debug"] is False
    assert "whitenoise" in values["storage"]


def test_jobs_time_out_before_they_are_retried_and_attempts_are_bounded():
    q = settings.Q_CLUSTER
    assert q["timeout"] < q["retry"]
    assert 0 < q["max_attempts"] <= 5
    assert q["ack_failures"] is True


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_immediate_transactions(tmp_path):
    code = (
        "import django; django.setup(); from django.db import connection as c; "
        "cur = c.cursor(); cur.execute('PRAGMA journal_mode'); print(cur.fetchone()[0]); "
        "cur.execute('PRAGMA busy_timeout'); print(cur.fetchone()[0]); "
        "print(c.settings_dict['OPTIONS']['transaction_mode'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="motionhub.settings", MOTIONHUB_DATA_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()

    assert out[0] == "wal"
    assert int(out[1]) >= 5000
    assert out[2] == "IMMEDIATE"


def test_check_deploy_passes_in_production_mode_but_for_the_proxys_https_settings():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        MOTIONHUB_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="motionhub.example.com",
        MOTIONHUB_SANDBOX="0",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip

    reported = set(re.findall(r"\((\w+\.\w+)\)", result.stderr))
    # HSTS and the HTTPS redirect are the reverse proxy's job.
    assert reported == {"security.W004", "security.W008"}, result.stderr


def test_a_malformed_encryption_key_is_reported():
    env = dict(os.environ, MOTIONHUB_ENCRYPTION_KEY="not-a-key")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.returncode != 0
    assert "motionhub.E002" in result.stderr
