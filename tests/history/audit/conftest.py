"""The audit log's page reads the entries the audit tests make: it shares their fixtures."""

from tests.audit.conftest import (  # noqa: F401
    connection,
    kling_account,
    make_entries,
    root,
    root_client,
)
