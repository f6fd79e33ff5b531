"""Applying a motion makes a motion-create task: these tests share the task flow's fixtures."""

from tests.tasks.conftest import *  # noqa: F403
