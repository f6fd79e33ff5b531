"""Alerts: each rule's condition, told once by e-mail (a real SMTP server) and by a signed webhook
(a real HTTP receiver), resolved once, listed on the Alerts page and in the audit log."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone

from motionhub.accounts import health
from motionhub.accounts.models import Connection, Health, KlingAccount
from motionhub.alerts import conditions, jobs, webhook
from motionhub.alerts.models import Alert, AlertRule, Delivery, Kind
from motionhub.audit.models import AuditEntry
from motionhub.tasks.models import MotionTask, State, TaskEvent

from .conftest import WEBHOOK_SECRET


@pytest.fixture
def account(db) -> KlingAccount:
    conn = Connection(name="Team", base_url="https://api.useapi.test/v1/kling")
    conn.set_token("user:1-alerts")
    conn.save()
    return KlingAccount.objects.create(connection=conn, email="a@example.com", label="A",
                                       credits=50000)  # fmt: skip


def _break(account) -> None:
    health.change(account.pk, Health.NEEDS_RELOGIN, "The create call: Account session is broken")


def test_a_broken_account_is_told_once_by_email_through_a_real_smtp_server(account, smtp_server):
    _break(account)

    assert jobs.evaluate() == {"opened": 1, "resolved": 0}
    assert jobs.evaluate() == {"opened": 0, "resolved": 0}  # still broken: told once

    [(to, message)] = smtp_server.messages
    assert to == ["ops@example.com", "lead@example.com"]
    assert message["Subject"] == "[MotionHub] Alert: Account needs re-login"
    assert message["From"] == "motionhub@example.com"
    assert "Kling account A needs re-login" in message.get_payload()
    [delivery] = Delivery.objects.all()
    assert delivery.ok and delivery.channel == "email" and delivery.event == "fired"


def test_a_recovered_account_sends_one_resolved_message(account, smtp_server):
    _break(account)
    jobs.evaluate()
    health.change(account.pk, Health.ACTIVE, "read fine")

    assert jobs.evaluate() == {"opened": 0, "resolved": 1}
    assert jobs.evaluate() == {"opened": 0, "resolved": 0}

    subjects = [m["Subject"] for _, m in smtp_server.messages]
    assert subjects == [
        "[MotionHub] Alert: Account needs re-login",
        "[MotionHub] Resolved: Account needs re-login",
    ]
    alert = Alert.objects.get()
    assert alert.resolved_at is not None
    # Broken again later: a new alert (the condition came back), told once more.
    _break(account)
    jobs.evaluate()
    assert Alert.objects.count() == 2 and len(smtp_server.messages) == 3


def test_the_webhook_is_signed_slack_compatible_and_verified_by_a_real_receiver(
    account, webhook_receiver
):
    _break(account)

    jobs.evaluate()

    [body] = webhook_receiver.received
    assert webhook_receiver.refused == 0
    assert body["text"].startswith("MotionHub: Kling account A needs re-login")
    assert body["alert"]["kind"] == "relogin" and body["alert"]["event"] == "fired"
    [delivery] = Delivery.objects.all()
    assert delivery.ok and delivery.attempts == 1
    # The URL's path (a Slack webhook's secret) is never stored or shown.
    assert delivery.target == webhook_receiver.url.split("/hooks/")[0]


def test_a_failing_webhook_is_tried_a_bounded_number_of_times_and_listed_as_failed(
    account, webhook_receiver, settings, admin_client_
):
    settings.MOTIONHUB_ALERT_WEBHOOK_ATTEMPTS = 3
    webhook_receiver.statuses = [503, 503, 503, 503]
    _break(account)

    jobs.evaluate()

    assert webhook_receiver.hits == 3 and webhook_receiver.received == []
    [delivery] = Delivery.objects.all()
    assert not delivery.ok and delivery.attempts == 3 and "HTTP 503" in delivery.error
    entry = AuditEntry.objects.get(action="alert.failed")
    assert entry.outcome == "failed" and "slack-secret-path" not in entry.detail
    page = admin_client_.get(reverse("alerts:index")).content.decode()
    assert "failed" in page and "3 attempts" in page
    assert "slack-secret-path" not in page and WEBHOOK_SECRET not in page


def test_a_webhook_that_recovers_within_its_attempts_is_sent(account, webhook_receiver):
    webhook_receiver.statuses = [500]
    _break(account)

    jobs.evaluate()

    [delivery] = Delivery.objects.all()
    assert delivery.ok and delivery.attempts == 2 and len(webhook_receiver.received) == 1


def test_a_wrong_secret_is_refused_by_the_receiver(account, webhook_receiver, settings):
    settings.MOTIONHUB_ALERT_WEBHOOK_SECRET = "not-the-secret"
    _break(account)

    jobs.evaluate()

    assert webhook_receiver.refused == 1 and webhook_receiver.received == []
    assert not Delivery.objects.get().ok  # a 401 is not tried again


def test_the_signature_covers_the_timestamp_and_the_body():
    body = b'{"text":"hi"}'
    assert webhook.sign("s", "100", body) != webhook.sign("s", "101", body)
    assert webhook.sign("s", "100", body) != webhook.sign("s", "100", body + b" ")


def test_an_unreachable_smtp_server_is_listed_as_failed_and_audited(account, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    settings.EMAIL_HOST_PASSWORD = "smtp-pa55word"
    settings.MOTIONHUB_ALERT_EMAILS = ["ops@example.com"]
    _break(account)

    jobs.evaluate()

    delivery = Delivery.objects.get()
    assert not delivery.ok and delivery.error
    assert "smtp-pa55word" not in delivery.error
    assert AuditEntry.objects.filter(action="alert.failed").exists()


def test_sent_alerts_are_in_the_audit_log_and_on_the_alerts_page(
    account, smtp_server, viewer_client
):
    _break(account)
    jobs.evaluate()

    entry = AuditEntry.objects.get(action="alert.sent")
    assert entry.outcome == "ok" and "fired by email" in entry.detail
    page = viewer_client.get(reverse("alerts:index")).content.decode()
    assert "Kling account A needs re-login" in page and "sent" in page
    assert "ops@example.com" not in page  # addresses are for admins


@pytest.mark.django_db(transaction=True)
def test_several_workers_evaluating_at_once_tell_each_condition_once(settings):
    settings.MOTIONHUB_ALERT_EMAILS = ["ops@example.com"]  # (locmem backend in tests)
    conn = Connection(name="Team", base_url="https://api.useapi.test/v1/kling")
    conn.set_token("user:1-alerts")
    conn.save()
    account = KlingAccount.objects.create(connection=conn, email="a@example.com", label="A")
    _break(account)
    start = threading.Barrier(4)

    def worker():
        try:
            start.wait()
            jobs.evaluate()
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert Alert.objects.count() == 1
    assert Delivery.objects.count() == 1


# -- the rules --------------------------------------------------------------------------------


def test_credits_below_n_and_an_admins_rule_overrides_the_default(account, settings):
    settings.MOTIONHUB_ALERT_CREDITS_BELOW = 1000
    assert f"credits:account:{account.pk}" not in conditions.current()

    AlertRule.objects.create(kind=Kind.CREDITS, threshold=60000)
    [found] = [c for c in conditions.current().values() if c.kind == Kind.CREDITS]
    assert found.text == "Kling account A has 50000 credits left (below 60000)."

    AlertRule.objects.filter(kind=Kind.CREDITS).update(enabled=False)
    assert not [c for c in conditions.current().values() if c.kind == Kind.CREDITS]


def test_a_session_that_expires_within_n_days(account, settings):
    settings.MOTIONHUB_ALERT_SESSION_DAYS = 3
    KlingAccount.objects.filter(pk=account.pk).update(
        session_expires_at=timezone.now() + timedelta(days=2)
    )

    [found] = [c for c in conditions.current().values() if c.kind == Kind.SESSION]
    assert "within 3 days" in found.text


def test_more_than_n_failures_in_the_last_hour(account, settings):
    settings.MOTIONHUB_ALERT_FAILURES_PER_HOUR = 2
    for n in range(3):
        task = MotionTask.objects.create(name=f"t{n}", account=account, state=State.FAILED)
        TaskEvent.objects.create(task=task, from_state="uploading", to_state="failed",
                                 source="worker")  # fmt: skip
    old = MotionTask.objects.create(name="old", account=account, state=State.FAILED)
    TaskEvent.objects.create(task=old, from_state="uploading", to_state="failed", source="worker",
                             at=timezone.now() - timedelta(hours=2))  # fmt: skip

    found = conditions.current()["failures"]
    assert found.text == "3 tasks failed in the last hour (more than 2)."


def test_a_task_that_needs_attention_is_one_alert_however_many_tasks(account):
    for n in range(7):
        MotionTask.objects.create(name=f"t{n}", account=account, state=State.NEEDS_ATTENTION)

    found = conditions.current()["attention"]
    assert found.text.startswith("7 task(s) need attention: #") and "and 2 more" in found.text
