"""Personal API tokens: made on the page or by the command, shown once, stored hashed, revoked,
recognised as Bearer, and the audit entries they cause marked as API."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from motionhub import audit
from motionhub.audit.models import AuditEntry
from motionhub.tokens.auth import authenticate, create_token, digest
from motionhub.tokens.models import ApiToken


def _bearer(secret: str):
    return RequestFactory().get("/x", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_page_shows_a_new_token_once_and_keeps_only_its_hash(operator_client, bob):
    response = operator_client.post(reverse("tokens:index"), {"name": "render farm"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("mhk_") and secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(owner=bob)
    assert token.name == "render farm" and token.prefix == secret[:12]
    assert token.secret_sha256 == digest(secret) != secret
    # Never again: the list shows its prefix, not the secret.
    listing = operator_client.get(reverse("tokens:index")).content.decode()
    assert secret not in listing and f"{token.prefix}…" in listing
    entry = AuditEntry.objects.get(action=audit.Action.TOKEN_CREATE)
    assert entry.actor == bob and secret not in entry.detail and not entry.via_api


def test_a_person_sees_and_revokes_only_their_own_tokens(operator_client, bob, alice):
    mine, _ = create_token(bob, "mine")
    theirs, _ = create_token(alice, "theirs")
    page = operator_client.get(reverse("tokens:index")).content.decode()
    assert "mine" in page and "theirs" not in page
    assert operator_client.post(reverse("tokens:revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    response = operator_client.post(reverse("tokens:revoke", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    assert AuditEntry.objects.filter(action=audit.Action.TOKEN_REVOKE, actor=bob).count() == 1
    # Twice is once.
    operator_client.post(reverse("tokens:revoke", args=[mine.pk]))
    assert AuditEntry.objects.filter(action=audit.Action.TOKEN_REVOKE).count() == 1


def test_the_page_needs_a_sign_in(client):
    response = client.get(reverse("tokens:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_bearer_authentication(bob):
    token, secret = create_token(bob, "script")
    request = _bearer(secret)
    assert authenticate(request) == bob
    assert request.api_token == token and request.user == bob
    for wrong in ("", "Bearer", f"Basic {secret}", f"Bearer {secret}x", "Bearer mhk_nope"):
        assert authenticate(RequestFactory().get("/x", HTTP_AUTHORIZATION=wrong)) is None
    token.revoked_at = timezone.now()
    token.save()
    assert authenticate(_bearer(secret)) is None


def test_an_inactive_person_has_no_working_token(bob):
    _, secret = create_token(bob, "script")
    bob.is_active = False
    bob.save()
    assert authenticate(_bearer(secret)) is None


def test_last_use_is_written_at_most_once_a_minute(bob, django_assert_num_queries):
    token, secret = create_token(bob, "script")
    assert authenticate(_bearer(secret)) == bob
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the look-up only: no write within the minute
        authenticate(_bearer(secret))
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    authenticate(_bearer(secret))
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - timedelta(minutes=2)


def test_entries_recorded_for_a_token_request_are_marked_api(bob):
    _, secret = create_token(bob, "script")
    request = _bearer(secret)
    authenticate(request)
    entry = audit.record(request, audit.Action.MOTION_CREATE, target_label="x")
    assert entry.via_api and entry.actor == bob
    page_entry = audit.record(RequestFactory().get("/"), audit.Action.MOTION_CREATE)
    assert not page_entry.via_api


def test_the_audit_page_shows_the_api_mark(admin_client_, bob):
    _, secret = create_token(bob, "script")
    request = _bearer(secret)
    authenticate(request)
    audit.record(request, audit.Action.MOTION_CREATE, target_label="scripted")
    page = admin_client_.get(reverse("audit:index")).content.decode()
    assert 'title="Done through a personal API token">API</span>' in page


def test_the_command_prints_the_token_alone_on_its_last_line(charlie):
    out = StringIO()
    call_command("motionhub_api_token", "charlie", "--name", "ci", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    assert secret.startswith("mhk_") and " " not in secret
    assert authenticate(_bearer(secret)) == charlie
    assert ApiToken.objects.get(owner=charlie).name == "ci"
    entry = AuditEntry.objects.get(action=audit.Action.TOKEN_CREATE)
    assert secret not in entry.detail


def test_the_command_refuses_an_unknown_person(db):
    with pytest.raises(CommandError):
        call_command("motionhub_api_token", "nobody", stdout=StringIO())
