"""System checks for settings a deployment must get right (run by `manage.py check --deploy`)."""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_production_secrets(app_configs, **kwargs):
    problems = []
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        problems.append(
            Error("SECRET_KEY is the development key.", hint="Set SECRET_KEY.", id="motionhub.E001")
        )
    if not settings.MOTIONHUB_ENCRYPTION_KEY:
        problems.append(
            Warning(
                "MOTIONHUB_ENCRYPTION_KEY is not set; API tokens are encrypted with a key derived "
                "from SECRET_KEY, so rotating SECRET_KEY makes them unreadable.",
                hint="Set MOTIONHUB_ENCRYPTION_KEY to a Fernet key "
                "(python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())').",
                id="motionhub.W001",
            )
        )
    if settings.MOTIONHUB_SANDBOX:
        problems.append(
            Warning(
                "MOTIONHUB_SANDBOX is on: the simulator answers at /sandbox/v1/kling/.",
                hint="Unset MOTIONHUB_SANDBOX in production.",
                id="motionhub.W002",
            )
        )
    return problems


@register()
def check_encryption_key(app_configs, **kwargs):
    key = settings.MOTIONHUB_ENCRYPTION_KEY
    if not key:
        return []
    try:
        valid = len(base64.urlsafe_b64decode(key.encode())) == 32
    except (binascii.Error, ValueError):
        valid = False
    if valid:
        return []
    return [
        Error(
            "MOTIONHUB_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64-encoded bytes).",
            id="motionhub.E002",
        )
    ]


@register()
def check_q_cluster(app_configs, **kwargs):
    q = settings.Q_CLUSTER
    if q.get("timeout", 0) >= q.get("retry", 0):
        return [Error("Q_CLUSTER timeout must be below retry.", id="motionhub.E003")]
    if not q.get("max_attempts"):
        return [Error("Q_CLUSTER max_attempts must be bounded.", id="motionhub.E004")]
    return []
