from tests.tasks.conftest import account, connection, upload, upstream  # noqa: F401
