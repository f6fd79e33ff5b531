"""Keeping every result: archived copies of what upstream made, in Django storage."""
