"""MotionHub settings, read from the environment with safe defaults.

A fresh checkout runs with no configuration at all: SQLite in WAL mode, django-q2's ORM broker and
the built-in sandbox (when MOTIONHUB_SANDBOX=1, which `make run` sets). Production sets DEBUG=0,
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and MOTIONHUB_ENCRYPTION_KEY.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

# A development key keeps a fresh checkout working; production must set its own (see checks.py).
DEV_SECRET_KEY = "django-insecure-motionhub-development-key-change-me"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_q",
    "motionhub.core",
    "motionhub.accounts",
    "motionhub.sandbox",
    "motionhub.tasks",
    "motionhub.audit",
    "motionhub.tokens",
    "motionhub.gateway",
    "motionhub.library",
    "motionhub.archive",
    "motionhub.alerts",
    "motionhub.usage",
    "motionhub.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy, Permissions-Policy and the other browser protections.
    "motionhub.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "motionhub.core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "motionhub.urls"
WSGI_APPLICATION = "motionhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motionhub.core.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default, tuned for several processes (web + workers) writing at once: WAL journal,
# a busy timeout, and IMMEDIATE transactions so writers queue instead of failing with
# "database is locked" when a read transaction tries to upgrade.
DATA_DIR = Path(env.str("MOTIONHUB_DATA_DIR", default=str(BASE_DIR / "var")))
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'motionhub.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            ),
        }
    )
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
        "MOTIONHUB_TEST_SQLITE", default=str(DATA_DIR / "test.sqlite3")
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- People ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))


def _default_storage() -> dict:
    """Local files under MEDIA_ROOT, or S3-compatible object storage (django-storages) when
    MOTIONHUB_STORAGE_URL (s3://[key:secret@]bucket[/prefix]?endpoint_url=…&region=…) or
    AWS_STORAGE_BUCKET_NAME (with AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, …) is set."""
    from urllib.parse import parse_qs, unquote, urlsplit

    url = env.str("MOTIONHUB_STORAGE_URL", default="")
    bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
    if not url and not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options = {
        "bucket_name": bucket,
        "location": env.str("AWS_LOCATION", default=""),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        "default_acl": None,
        "file_overwrite": False,
    }
    if url:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.hostname:
            raise ValueError("MOTIONHUB_STORAGE_URL must look like s3://bucket[/prefix]?…")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        options["bucket_name"] = parts.hostname
        options["location"] = parts.path.strip("/")
        if parts.username:
            options["access_key"] = unquote(parts.username)
            options["secret_key"] = unquote(parts.password or "")
        options["endpoint_url"] = query.get("endpoint_url") or options["endpoint_url"]
        options["region_name"] = query.get("region") or options["region_name"]
    return {"BACKEND": "motionhub.core.storage.PrivateS3Storage", "OPTIONS": options}


STORAGES = {
    # Uploaded inputs and kept results (motionhub/archive/) both go through this storage.
    "default": _default_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In development WhiteNoise serves straight from the app folders (no collectstatic needed).
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
# Uploads above this size go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The Content-Security-Policy is motionhub.core.security.DEFAULT_CSP (override: MOTIONHUB_CSP).
# Sign-in throttle (motionhub/core/throttle.py): failed sign-ins allowed per username and per
# address within the window, counted from the audit log so every web process shares the count.
MOTIONHUB_SIGNIN_WINDOW_SECONDS = env.int("MOTIONHUB_SIGNIN_WINDOW_SECONDS", default=900)
MOTIONHUB_SIGNIN_MAX_FAILURES = env.int("MOTIONHUB_SIGNIN_MAX_FAILURES", default=5)
MOTIONHUB_SIGNIN_MAX_FAILURES_PER_IP = env.int("MOTIONHUB_SIGNIN_MAX_FAILURES_PER_IP", default=20)
if not DEBUG:
    # HTTPS itself (redirects, HSTS, secure cookies) is the reverse proxy's job; these follow
    # the environment so a deployment behind TLS can turn them on.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)

# --- Jobs: django-q2 ------------------------------------------------------------------------
# Paid upstream calls make django-q2's defaults dangerous: bound the attempts, keep `timeout`
# below `retry` so a slow job is never handed to a second worker while the first still runs,
# and acknowledge failures so a failed job is not re-presented forever. Every job is idempotent
# anyway; our own tables, not django-q2's, are the history.
REDIS_URL = env.str("REDIS_URL", default="")
Q_CLUSTER = {
    "name": "motionhub",
    # One worker may be busy with the task heartbeat loop; the others submit.
    "workers": env.int("Q_WORKERS", default=3),
    # Long enough for a 100 MB upload on a slow line; retry must stay above it.
    "timeout": env.int("Q_TIMEOUT", default=600),
    "retry": env.int("Q_RETRY", default=720),
    "max_attempts": 3,
    "ack_failures": True,
    "save_limit": 1000,
    "catch_up": False,
    "sync": env.bool("Q_SYNC", default=False),
    # How often an idle cluster looks for new jobs with the database broker (Redis needs none):
    # every hand-over of a slot waits for one such look, so it is kept short.
    "poll": env.float("Q_POLL", default=0.1),
    "label": "Background jobs",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- MotionHub ------------------------------------------------------------------------------
# Fernet key that encrypts API tokens at rest. Without one, a key is derived from SECRET_KEY so
# a fresh checkout works; production should set its own (and keep it when SECRET_KEY rotates).
MOTIONHUB_ENCRYPTION_KEY = env.str("MOTIONHUB_ENCRYPTION_KEY", default="")
# When set (e.g. https://motionhub.example.com), upstream calls ask for replyUrl callbacks.
MOTIONHUB_PUBLIC_URL = env.str("MOTIONHUB_PUBLIC_URL", default="").rstrip("/")
# The built-in simulator of the useapi Kling endpoints at /sandbox/v1/kling/.
MOTIONHUB_SANDBOX = env.bool("MOTIONHUB_SANDBOX", default=False)
# How long a sandbox task takes from submitted to final, in seconds.
MOTIONHUB_SANDBOX_TASK_SECONDS = env.float("MOTIONHUB_SANDBOX_TASK_SECONDS", default=6.0)
# The sandbox sends a task's final replyUrl callback when the task ends, as useapi does (else
# only once someone reads the task or the minute's tick runs).
MOTIONHUB_SANDBOX_CALLBACK_AT_END = env.bool("MOTIONHUB_SANDBOX_CALLBACK_AT_END", default=True)
# Tracking: how often a submitted task is read upstream (GET /tasks/{id}), and at most how many
# tasks of one account are read per round (a bounded rate per account).
MOTIONHUB_POLL_SECONDS = env.float("MOTIONHUB_POLL_SECONDS", default=10.0)
MOTIONHUB_POLLS_PER_ACCOUNT = env.int("MOTIONHUB_POLLS_PER_ACCOUNT", default=5)
# A tracked task whose readings fail for good (401, 402, 596, …) this long gives its slot back
# and goes to "needs attention".
MOTIONHUB_TRACK_GIVE_UP_SECONDS = env.float("MOTIONHUB_TRACK_GIVE_UP_SECONDS", default=3600.0)
# Submission: attempts for transient trouble before the create call, and the first back-off.
MOTIONHUB_MAX_ATTEMPTS = env.int("MOTIONHUB_MAX_ATTEMPTS", default=4)
MOTIONHUB_BACKOFF_SECONDS = env.float("MOTIONHUB_BACKOFF_SECONDS", default=10.0)
# A create call that may have made a task upstream (its answer lost, a 502/504, ...) is looked
# up, never blindly resent. While the upstream cannot be read the task waits, for at most
# RECONCILE_SECONDS before a person is asked; "not found" is believed only once SETTLE_SECONDS
# passed since the call, so a task the upstream was still creating is not created twice.
MOTIONHUB_RECONCILE_SECONDS = env.float("MOTIONHUB_RECONCILE_SECONDS", default=900.0)
MOTIONHUB_RECONCILE_SETTLE_SECONDS = env.float("MOTIONHUB_RECONCILE_SETTLE_SECONDS", default=30.0)
# Account health (accounts/health.py): this many 429s or upstream troubles in a row on one
# account cool it down for COOLDOWN_SECONDS; a balance at or below OUT_OF_CREDITS_AT is "out of
# credits". The health check reads every enabled account every HEALTH_CHECK_MINUTES.
MOTIONHUB_COOLDOWN_AFTER = env.int("MOTIONHUB_COOLDOWN_AFTER", default=5)
MOTIONHUB_COOLDOWN_SECONDS = env.float("MOTIONHUB_COOLDOWN_SECONDS", default=120.0)
MOTIONHUB_OUT_OF_CREDITS_AT = env.int("MOTIONHUB_OUT_OF_CREDITS_AT", default=0)
MOTIONHUB_HEALTH_CHECK_MINUTES = env.int("MOTIONHUB_HEALTH_CHECK_MINUTES", default=2)
# Alerts (motionhub/alerts/): by email (Django's SMTP settings below) and by a signed webhook.
MOTIONHUB_ALERT_EMAILS = env.list("MOTIONHUB_ALERT_EMAILS", default=[])
MOTIONHUB_ALERT_WEBHOOK_URL = env.str("MOTIONHUB_ALERT_WEBHOOK_URL", default="")
MOTIONHUB_ALERT_WEBHOOK_SECRET = env.str("MOTIONHUB_ALERT_WEBHOOK_SECRET", default="")
MOTIONHUB_ALERT_WEBHOOK_ATTEMPTS = env.int("MOTIONHUB_ALERT_WEBHOOK_ATTEMPTS", default=3)
MOTIONHUB_ALERT_WEBHOOK_BACKOFF_SECONDS = env.float(
    "MOTIONHUB_ALERT_WEBHOOK_BACKOFF_SECONDS", default=1.0
)
# The rules' defaults (admins override them with AlertRule rows in /admin/).
MOTIONHUB_ALERT_CREDITS_BELOW = env.int("MOTIONHUB_ALERT_CREDITS_BELOW", default=1000)
MOTIONHUB_ALERT_SESSION_DAYS = env.int("MOTIONHUB_ALERT_SESSION_DAYS", default=3)
MOTIONHUB_ALERT_FAILURES_PER_HOUR = env.int("MOTIONHUB_ALERT_FAILURES_PER_HOUR", default=10)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=15.0)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="motionhub@localhost")
# Believe X-Forwarded-For for the audit log's source address only behind a reverse proxy that
# sets it: anyone can send that header, so by default the connecting address is recorded.
MOTIONHUB_TRUST_X_FORWARDED_FOR = env.bool("MOTIONHUB_TRUST_X_FORWARDED_FOR", default=False)
# Timeout (seconds) of every upstream HTTP call; uploads get a longer one.
USEAPI_TIMEOUT = env.float("USEAPI_TIMEOUT", default=30.0)
USEAPI_UPLOAD_TIMEOUT = env.float("USEAPI_UPLOAD_TIMEOUT", default=300.0)
# Keeping results (motionhub/archive/): per file a size limit and a time limit (the job must end
# within Q_TIMEOUT), quick retries with back-off inside the job, then the sweep's retries.
MOTIONHUB_ARCHIVE_MAX_BYTES = env.int("MOTIONHUB_ARCHIVE_MAX_BYTES", default=500 * 1024 * 1024)
MOTIONHUB_ARCHIVE_TIMEOUT = env.float("MOTIONHUB_ARCHIVE_TIMEOUT", default=240.0)
MOTIONHUB_ARCHIVE_ATTEMPTS = env.int("MOTIONHUB_ARCHIVE_ATTEMPTS", default=3)
MOTIONHUB_ARCHIVE_BACKOFF_SECONDS = env.float("MOTIONHUB_ARCHIVE_BACKOFF_SECONDS", default=2.0)
MOTIONHUB_ARCHIVE_SWEEP_ATTEMPTS = env.int("MOTIONHUB_ARCHIVE_SWEEP_ATTEMPTS", default=6)
MOTIONHUB_ARCHIVE_RETRY_SECONDS = env.float("MOTIONHUB_ARCHIVE_RETRY_SECONDS", default=300.0)


def _days_or_forever(name: str, default: str) -> int | None:
    """A retention in days; "forever" (or empty) keeps files for good."""
    value = env.str(name, default=default).strip().lower()
    if value in ("", "forever", "never"):
        return None
    days = int(value)
    if days < 1:
        raise ValueError(f"{name} must be a number of days (1 or more) or 'forever'")
    return days


# Retention (motionhub/archive/retention.py, daily): uploaded inputs go this many days after
# their task is final, kept results this many days after theirs succeeded; "forever" keeps them.
MOTIONHUB_KEEP_INPUTS_DAYS = _days_or_forever("MOTIONHUB_KEEP_INPUTS_DAYS", "30")
MOTIONHUB_KEEP_RESULTS_DAYS = _days_or_forever("MOTIONHUB_KEEP_RESULTS_DAYS", "forever")

# The native API (/api/v1/): requests per minute per person (0: no limit).
MOTIONHUB_API_RATE = env.int("MOTIONHUB_API_RATE", default=120)
# Batches (several clips in one upload): at most this many tasks per batch. Django refuses a
# request with more files than DATA_UPLOAD_MAX_NUMBER_FILES before any view runs, so that stays
# well above the limit: a run somewhat too big gets a clear message, not a bare 400.
# How long the file URLs the useapi-compatible gateway hands to scripts stay valid (seconds).
MOTIONHUB_GATEWAY_URL_SECONDS = env.int("MOTIONHUB_GATEWAY_URL_SECONDS", default=24 * 3600)
MOTIONHUB_BATCH_MAX_TASKS = env.int("MOTIONHUB_BATCH_MAX_TASKS", default=200)
DATA_UPLOAD_MAX_NUMBER_FILES = max(100, 2 * MOTIONHUB_BATCH_MAX_TASKS + 10)
# The address of the real upstream, offered as the default for a new connection.
USEAPI_DEFAULT_BASE_URL = "https://api.useapi.net/v1/kling"

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # urllib3 logs full URLs at DEBUG; our client logs its own redacted lines instead.
        "urllib3": {"level": "WARNING"},
    },
}
