"""The audit log: an append-only record of what people did (shown at /audit/ by `history`),
and the sign-in throttle that counts its failed sign-ins.

    from motionhub import audit

    audit.record(request, audit.Action.MOTION_DELETE, target=motion, account=motion.account)

Views call `record()` after an action succeeds (or is refused); sign-ins, sign-outs and role
changes are recorded by the receivers in `signals.py` and the people admin in `admin.py`.
It may import `core` only: an account is recorded as a model row, not through `accounts`.
"""

from __future__ import annotations

from motionhub.audit.actions import Action, Outcome
from motionhub.audit.log import describe_changes, record

__all__ = ["Action", "Outcome", "describe_changes", "record"]
