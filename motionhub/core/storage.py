"""S3-compatible storage for uploads and kept results, served through MotionHub's own views.

`PrivateS3Storage` is django-storages' S3 backend with two changes: a file's `url()` is the
signed-in `/media/<name>` view (never a public or pre-signed bucket URL, so every file stays
behind login and the Content-Security-Policy holds), and transfers are bounded in memory (a
file read back is spooled to disk past 2 MB; uploads go up in 8 MB parts, two at a time).
Configured in settings.py from MOTIONHUB_STORAGE_URL or the AWS_* variables.
"""

from __future__ import annotations

from urllib.parse import quote

from boto3.s3.transfer import TransferConfig
from django.conf import settings
from storages.backends.s3 import S3Storage

MB = 1024 * 1024


class PrivateS3Storage(S3Storage):
    def __init__(self, **settings_overrides):
        settings_overrides.setdefault("max_memory_size", 2 * MB)
        settings_overrides.setdefault(
            "transfer_config",
            TransferConfig(multipart_chunksize=8 * MB, max_concurrency=2, use_threads=True),
        )
        super().__init__(**settings_overrides)

    def url(self, name, parameters=None, expire=None, http_method=None):
        return f"/{settings.MEDIA_URL.strip('/')}/{quote(name)}"
