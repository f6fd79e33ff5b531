"""The motions library: each Kling account's own and official motions, cached locally.

Pages read the cache only; `jobs` refreshes it from upstream and carries out deletions; the
apply view turns a motion and an image into a motion-create task. It may import `tasks` and
everything below it.
"""
