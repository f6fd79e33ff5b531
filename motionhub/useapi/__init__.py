"""The useapi.net Kling API client: a plain library that imports nothing else of MotionHub
(nor Django): the one choke point for upstream HTTP, one method per endpoint, named errors.

Usage: `Client("https://api.useapi.net/v1/kling", token).get_task(123456789)`.
"""

from __future__ import annotations

from .client import Client
from .errors import (
    ALL_ERRORS,
    AccountSessionBroken,
    BadResponse,
    InvalidInput,
    Moderation,
    NoFreeSlot,
    NotFound,
    SubscriptionRequired,
    Unauthorized,
    UpstreamTrouble,
    UseapiError,
)
from .fetch import Fetched, FetchFailed, FetchRefused
from .stats import StatsRow, UsageStats, useapi_root
from .types import (
    Account,
    AccountCapacity,
    Asset,
    Capacity,
    DeletedTask,
    Download,
    ListedTask,
    Motion,
    RunningJob,
    TaskStatus,
    Work,
)

__all__ = [
    "ALL_ERRORS",
    "Account",
    "AccountCapacity",
    "AccountSessionBroken",
    "Asset",
    "BadResponse",
    "Capacity",
    "Client",
    "DeletedTask",
    "Download",
    "FetchFailed",
    "FetchRefused",
    "Fetched",
    "InvalidInput",
    "ListedTask",
    "Moderation",
    "Motion",
    "NoFreeSlot",
    "NotFound",
    "RunningJob",
    "StatsRow",
    "SubscriptionRequired",
    "TaskStatus",
    "Unauthorized",
    "UpstreamTrouble",
    "UsageStats",
    "UseapiError",
    "Work",
    "useapi_root",
]
