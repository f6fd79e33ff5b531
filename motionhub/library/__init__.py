"""The motions library: each Kling account's own and official motions, cached locally.

Pages read the cache only; `jobs` refreshes it from upstream and carries out deletions.
"""
