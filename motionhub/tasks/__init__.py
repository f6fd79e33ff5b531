"""Tasks: what we submit upstream (motion uploads and motion creates) and their timelines.

The pipeline — accept → dispatch → submit → track, driven by the heartbeat — the upload form,
the task pages and the callback receiver. It may import `accounts`, `audit`, `core` and the
`useapi` and `media` libraries; the library, history and dashboard build on it, never the
other way round (they hear of successes through the `task_succeeded` signal).
"""
