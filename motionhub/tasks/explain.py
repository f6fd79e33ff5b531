"""What a person is told about each error category (architecture.md's error table)."""

from __future__ import annotations

from motionhub.useapi.errors import ALL_ERRORS

_FROM_CLIENT = {cls.category: (cls.default_message, cls.suggestion) for cls in ALL_ERRORS}

CATEGORIES: dict[str, tuple[str, str]] = {
    **_FROM_CLIENT,
    "asset_missing": (
        "Kling could not find an uploaded file.",
        "Re-upload; the asset expired or belongs to another account.",
    ),
    "gone": (
        "The task is gone upstream.",
        "It was deleted, stopped by moderation, or the account ran out of credits.",
    ),
    "upstream_failed": (
        "Kling ended the task without a result.",
        "Check the input (a clearly visible person, 2 to 10 s) and retry.",
    ),
    "account_unusable": (
        "The task's account cannot take it.",
        "Move the task to another account (or to automatic), or cancel it.",
    ),
    "token_unreadable": (
        "The connection's stored API token cannot be decrypted.",
        "MOTIONHUB_ENCRYPTION_KEY changed: enter the connection's API token again.",
    ),
    "tracking_error": (
        "MotionHub itself failed while tracking this task.",
        "It is tried again automatically; if it keeps failing, tell whoever runs MotionHub.",
    ),
    "interrupted": (
        "A worker stopped in the middle of the create call.",
        "Check the account's tasks on Kling; retry only if the task is not there.",
    ),
}


def label(category: str) -> str:
    return category.replace("_", " ") if category else ""


def suggestion(category: str) -> str:
    return CATEGORIES.get(category, ("", ""))[1]
