"""An account breaks in the sandbox, in a real browser: the home page's card for it turns to
"needs re-login" by itself (no reload), an upload made then goes to the other account, and the
alert is listed on /alerts/. The jobs are the real ones, run by the real worker cluster.

Screenshots: test-artifacts/e2e/health-*.png.
"""

from __future__ import annotations

import re

import pytest
from django_q.models import Schedule
from django_q.tasks import async_task

from motionhub.accounts.models import Connection, Health, KlingAccount
from motionhub.alerts.models import Alert
from motionhub.sandbox import state as sandbox
from motionhub.tasks.models import MotionTask, State
from motionhub.usage.models import UpstreamUsage
from tests.clips import make_clip

from .conftest import ARTIFACTS, wait_for
from .test_a_day_in_motionhub import expect, nav, sign_in

TOKEN = "user:4713-e2eHealthToken"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"health-{name}.png"), full_page=True)


@pytest.mark.e2e
@pytest.mark.slow
def test_a_broken_account_shows_on_its_card_by_itself_uploads_avoid_it_and_it_is_alerted(
    sandbox_url, live_server, worker, new_context, settings, alice, tmp_path
):
    settings.MOTIONHUB_SANDBOX_TASK_SECONDS = 3
    # The steps below enqueue the jobs they need (the health check, the alerts) themselves,
    # rather than wait for their schedules.
    Schedule.objects.all().delete()
    conn = Connection(name="Sandbox", base_url=sandbox_url)
    conn.set_token(TOKEN)
    conn.save()
    accounts = {}
    for email, label in (("studio-a@sandbox.test", "Studio A"),
                         ("studio-b@sandbox.test", "Studio B")):  # fmt: skip
        sandbox.seed_account(TOKEN, email, max_jobs=2)
        accounts[label] = KlingAccount.objects.create(connection=conn, email=email, label=label,
                                                      max_jobs=2)  # fmt: skip
    broken, healthy = accounts["Studio A"], accounts["Studio B"]
    clip = make_clip(tmp_path / "wave.mp4", 3)

    context, watch = new_context()
    page = context.new_page()
    sign_in(page, "alice", "pw-alice")

    # 1. Home: both cards say "active"; the page is marked so a reload would show.
    card = page.locator(f"#account-{broken.pk}")
    expect(card.locator(".badge.health")).to_have_text("active")
    expect(page.locator(f"#account-{healthy.pk} .badge.health")).to_have_text("active")
    page.evaluate("() => { window.__landed = true; }")
    _shot(page, "1-home-active")
    # A colleague has the Accounts page open in another tab.
    accounts_page = context.new_page()
    accounts_page.goto("/accounts/")
    label = accounts_page.locator(f"#health-{broken.pk} .badge.health")
    expect(label).to_have_text("active")
    accounts_page.evaluate("() => { window.__landed = true; }")

    # 2. Studio A's session breaks in the sandbox; the scheduled health check reads it.
    sandbox.break_session(broken.email, token=TOKEN)
    async_task("motionhub.accounts.health.check_all", task_name="e2e-health-check")
    expect(card.locator(".badge.health")).to_have_text("needs re-login", timeout=30_000)
    assert page.evaluate("() => window.__landed") is True  # updated in place, no reload
    expect(page.locator(f"#account-{healthy.pk} .badge.health")).to_have_text("active")
    assert "broken" in (card.locator(".badge.health").get_attribute("title") or "").lower()
    _shot(page, "2-home-needs-relogin")
    expect(label).to_have_text("needs re-login", timeout=30_000)
    assert accounts_page.evaluate("() => window.__landed") is True
    expect(accounts_page.locator(f"#health-{broken.pk}")).to_contain_text(
        "Account session is broken"
    )
    _shot(accounts_page, "2b-accounts-needs-relogin")
    accounts_page.close()

    # 3. An upload made now ("automatic") goes to Studio B, and only there.
    nav(page, "Upload")
    page.fill("#id_name", "Wave while A is broken")
    expect(page.locator("#id_account")).to_contain_text("needs re-login")
    page.select_option("#id_account", "auto")
    page.set_input_files("#id_video", str(clip))
    _shot(page, "3-upload")
    page.get_by_role("button", name="Upload motion").click()
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    task = MotionTask.objects.get(name="Wave while A is broken")
    wait_for(lambda: MotionTask.objects.get(pk=task.pk).state == State.SUCCEEDED, 60,
             "the upload to succeed")  # fmt: skip
    task.refresh_from_db()
    assert task.account_id == healthy.pk
    assert [call["email"] for call in sandbox.create_calls(TOKEN)] == [healthy.email]
    expect(page.locator("#task-status")).to_contain_text("Slot taken on Studio B", timeout=30_000)
    expect(page.locator('#task-status [data-state="succeeded"]')).to_be_visible(timeout=30_000)
    _shot(page, "4-task-on-studio-b")

    # 4. The alerts job tells it, and the Alerts page lists it.
    async_task("motionhub.alerts.jobs.evaluate", task_name="e2e-alerts")
    wait_for(lambda: Alert.objects.filter(account=broken, resolved_at__isnull=True).exists(), 30,
             "the re-login alert")  # fmt: skip
    nav(page, "Alerts")
    row = page.locator("table.alerts tr", has_text="Studio A needs re-login")
    expect(row).to_be_visible()
    expect(row.locator(".badge")).to_have_text(re.compile("open"))
    _shot(page, "5-alerts")
    assert KlingAccount.objects.get(pk=broken.pk).health == Health.NEEDS_RELOGIN

    # 5. Usage: the task's credits (each sandbox task costs 100 points) in the weekly chart,
    # and useapi's own figures (the sandbox's stats endpoint) beside ours.
    async_task("motionhub.usage.jobs.read_all", task_name="e2e-usage")
    wait_for(lambda: UpstreamUsage.objects.filter(requests=1).exists(), 30, "useapi's figures")
    nav(page, "Usage")
    expect(page.locator("#usage-chart svg.usage-chart")).to_have_count(2)
    expect(page.locator('#usage-chart .bar[data-value="100"]')).to_have_count(1)
    expect(page.locator("#upstream-accounts")).to_contain_text("studio-b@sandbox.test")
    _shot(page, "6-usage")

    watch.assert_clean()
