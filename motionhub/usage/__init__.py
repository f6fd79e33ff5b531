"""Spend: each succeeded task's balance before and after (where the upstream reports it), the
credits it used, and the Usage page per member, account and week (with CSV)."""
