"""Admins manage the rules, the e-mail recipients and the webhook on the Alerts page (audited);
others read it; the environment's set-up still works beside it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.alerts import conditions, jobs
from motionhub.alerts.models import AlertRule, Kind, Recipient, Webhook
from motionhub.audit.models import AuditEntry
from tests.alerts.test_alerts import _break

from .conftest import WEBHOOK_SECRET


@pytest.fixture
def account(db) -> KlingAccount:
    conn = Connection(name="Team", base_url="https://api.useapi.test/v1/kling")
    conn.set_token("user:1-alerts")
    conn.save()
    return KlingAccount.objects.create(connection=conn, email="a@example.com", label="A")


def test_an_admin_turns_a_rule_off_and_sets_another_ones_n(admin_client_, settings):
    settings.MOTIONHUB_ALERT_CREDITS_BELOW = 1000

    admin_client_.post(reverse("alerts:rule", args=[Kind.RELOGIN]), {})  # unticked: off
    admin_client_.post(reverse("alerts:rule", args=[Kind.CREDITS]),
                       {"enabled": "on", "threshold": "250"})  # fmt: skip

    wanted = conditions.rules()
    assert Kind.RELOGIN not in wanted and wanted[Kind.CREDITS] == 250
    details = sorted(
        AuditEntry.objects.filter(action="alert.rule").values_list("detail", flat=True)
    )
    assert details == ["Account needs re-login: off", "Credits below N: on, N = 250"]

    page = admin_client_.get(reverse("alerts:index")).content.decode()
    credits_row = page[page.index('id="rule-credits_below"') :].split("</tr>")[0]
    assert 'value="250"' in credits_row and "checked" in credits_row

    # Empty N: back to the environment's default.
    admin_client_.post(reverse("alerts:rule", args=[Kind.CREDITS]), {"enabled": "on"})
    assert conditions.rules()[Kind.CREDITS] == 1000
    page = admin_client_.get(reverse("alerts:index")).content.decode()
    credits_row = page[page.index('id="rule-credits_below"') :].split("</tr>")[0]
    assert 'value=""' in credits_row and 'placeholder="1000"' in credits_row


def test_a_negative_n_is_refused_and_changes_nothing(admin_client_):
    response = admin_client_.post(reverse("alerts:rule", args=[Kind.CREDITS]),
                                  {"enabled": "on", "threshold": "-5"}, follow=True)  # fmt: skip
    assert "Not saved" in response.content.decode()
    assert not AlertRule.objects.exists() and not AuditEntry.objects.filter(action="alert.rule")


@pytest.mark.parametrize("who", ["operator_client", "viewer_client"])
def test_only_admins_change_anything_and_others_read_the_page_without_forms(who, request):
    client = request.getfixturevalue(who)
    Recipient.objects.create(email="lead@example.com")

    for url, data in [
        (reverse("alerts:rule", args=[Kind.RELOGIN]), {}),
        (reverse("alerts:recipient_add"), {"email": "x@example.com"}),
        (reverse("alerts:webhook_set"), {"url": "https://hooks.example.test/x"}),
        (reverse("alerts:recipient_remove", args=[Recipient.objects.get().pk]), {}),
    ]:
        assert client.post(url, data).status_code == 403
    assert not AlertRule.objects.exists() and Recipient.objects.count() == 1
    page = client.get(reverse("alerts:index")).content.decode()
    assert "<form" not in page.split('id="alert-rules"')[1].split("Recent alerts")[0]
    assert "lead@example.com" not in page  # addresses are for admins; others see a count
    assert "1 address(es)" in page


def test_page_recipients_get_the_alerts_beside_the_environments(
    admin_client_,
    account,
    smtp_server,
):
    admin_client_.post(reverse("alerts:recipient_add"), {"email": "night@example.com"})
    admin_client_.post(reverse("alerts:recipient_add"), {"email": "OPS@example.com"})  # env's
    _break(account)

    jobs.evaluate()

    [(to, _message)] = smtp_server.messages
    assert to == ["ops@example.com", "lead@example.com", "night@example.com"]
    assert AuditEntry.objects.filter(action="alert.recipient_add").count() == 2

    added = Recipient.objects.get(email="night@example.com")
    admin_client_.post(reverse("alerts:recipient_remove", args=[added.pk]))
    assert not Recipient.objects.filter(email="night@example.com").exists()
    assert AuditEntry.objects.filter(action="alert.recipient_remove",
                                     target_label="night@example.com").exists()  # fmt: skip


def test_a_webhook_set_on_the_page_is_signed_and_its_secret_never_shown(
    admin_client_,
    account,
    webhook_receiver,
    settings,
):
    settings.MOTIONHUB_ALERT_WEBHOOK_URL = settings.MOTIONHUB_ALERT_WEBHOOK_SECRET = ""
    admin_client_.post(reverse("alerts:webhook_set"),
                       {"url": webhook_receiver.url, "secret": WEBHOOK_SECRET})  # fmt: skip
    # Saved again with the URL only: the secret already set is kept.
    admin_client_.post(reverse("alerts:webhook_set"), {"url": webhook_receiver.url})
    _break(account)

    jobs.evaluate()

    [body] = webhook_receiver.received  # the receiver verified the signature
    assert webhook_receiver.refused == 0 and "needs re-login" in body["text"]
    page = admin_client_.get(reverse("alerts:index")).content.decode()
    assert WEBHOOK_SECRET not in page and "a secret is set" in page
    assert "slack-secret-path" not in page  # the URL by its host only
    assert Webhook.objects.get().secret_encrypted != WEBHOOK_SECRET
    entries = AuditEntry.objects.filter(action="alert.webhook_set")
    assert entries.count() == 2
    for entry in entries:
        assert WEBHOOK_SECRET not in f"{entry.detail} {entry.target_label}"
        assert "slack-secret-path" not in f"{entry.detail} {entry.target_label}"


def test_removing_the_page_webhook_stops_its_deliveries(
    admin_client_,
    account,
    webhook_receiver,
    settings,
):
    settings.MOTIONHUB_ALERT_WEBHOOK_URL = ""
    admin_client_.post(reverse("alerts:webhook_set"),
                       {"url": webhook_receiver.url, "secret": WEBHOOK_SECRET})  # fmt: skip
    admin_client_.post(reverse("alerts:webhook_remove"))
    _break(account)

    jobs.evaluate()

    assert webhook_receiver.hits == 0 and not Webhook.objects.exists()
    assert AuditEntry.objects.filter(action="alert.webhook_remove").count() == 1
