"""The whole loop against the sandbox over HTTP: its triggers → the health check → alerts."""

from __future__ import annotations

from motionhub.accounts import health
from motionhub.accounts.models import Connection, KlingAccount
from motionhub.alerts import jobs
from motionhub.alerts.models import Alert, Kind
from motionhub.sandbox import state

TOKEN = "user:4714-alertsLoopToken"


def test_a_broken_session_and_a_low_balance_in_the_sandbox_are_alerted_then_resolved(
    sandbox_url, transactional_db, settings
):
    settings.MOTIONHUB_ALERT_CREDITS_BELOW = 1000
    conn = Connection(name="Sandbox", base_url=sandbox_url)
    conn.set_token(TOKEN)
    conn.save()
    for email in ("studio-a@sandbox.test", "studio-b@sandbox.test"):
        state.seed_account(TOKEN, email)
        KlingAccount.objects.create(connection=conn, email=email, max_jobs=2)
    state.break_session("studio-a@sandbox.test", token=TOKEN)
    state.set_credits("studio-b@sandbox.test", 500, token=TOKEN)

    health.check_all()
    assert jobs.evaluate() == {"opened": 2, "resolved": 0}

    kinds = {(a.kind, a.account.email) for a in Alert.objects.select_related("account")}
    assert kinds == {(Kind.RELOGIN, "studio-a@sandbox.test"),
                     (Kind.CREDITS, "studio-b@sandbox.test")}  # fmt: skip

    # Re-login (the account added again) and a top-up: both resolve, once.
    conn.client().add_account("studio-a@sandbox.test", "any-password", 2)
    state.set_credits("studio-b@sandbox.test", 56000, token=TOKEN)
    health.check_all()
    assert jobs.evaluate() == {"opened": 0, "resolved": 2}
    assert jobs.evaluate() == {"opened": 0, "resolved": 0}
