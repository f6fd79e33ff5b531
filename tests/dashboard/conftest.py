"""The home page reads the same tasks as the history: it shares the history's fixtures."""

from tests.history.conftest import HISTORY, connection, make_task, one, shown_ids, two  # noqa: F401
