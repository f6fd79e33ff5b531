"""The Tokens page in a real browser: a person creates a token, sees it once, uses it from a
script against the gateway, and revokes it. No CSP violation, no script error.

Screenshots: test-artifacts/e2e/tokens-*.png.
"""

from __future__ import annotations

import re

import pytest
import requests

from motionhub.accounts.models import Connection, KlingAccount

from .conftest import ARTIFACTS
from .test_a_day_in_motionhub import expect, nav, sign_in


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"tokens-{name}.png"), full_page=True)


@pytest.mark.e2e
def test_a_token_is_shown_once_used_by_a_script_and_revoked(live_server, new_context, bob):
    conn = Connection(name="Team", base_url="https://api.useapi.test/v1/kling")
    conn.set_token("user:1-e2eTokensUpstream")
    conn.save()
    KlingAccount.objects.create(connection=conn, email="studio@kling.test", max_jobs=2)
    accounts = f"{live_server.url}/useapi/v1/kling/accounts"

    context, watch = new_context()
    page = context.new_page()
    sign_in(page, "bob", "pw-bob")
    nav(page, "Tokens")
    expect(page).to_have_url(re.compile(r"/tokens/$"))
    expect(page.locator("main")).to_contain_text("No tokens yet.")
    page.fill("#id_name", "render farm")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#token-secret").inner_text().strip()
    assert secret.startswith("mhk_")
    expect(page.locator("#new-token")).to_contain_text("shown only this once")
    _shot(page, "created")

    answer = requests.get(accounts, headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert answer.status_code == 200 and "studio@kling.test" in answer.json()

    page.goto("/tokens/")  # the list: the first characters only, and its last use
    expect(page.locator("main")).not_to_contain_text(secret)
    row = page.locator("table.tokens tbody tr").first
    expect(row).to_contain_text("render farm")
    expect(row).to_contain_text(secret[:12] + "…")
    expect(row).not_to_contain_text("never")  # used a moment ago
    _shot(page, "listed")

    row.get_by_role("button", name="Revoke").click()
    expect(page.locator("main")).to_contain_text("revoked")
    _shot(page, "revoked")
    answer = requests.get(accounts, headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert answer.status_code == 401 and answer.json() == {"error": "Unauthorized", "code": 401}
    watch.assert_clean()
