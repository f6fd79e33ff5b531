"""The control for the browser tests' CSP check: Chromium enforces our policy, and the watch
that the day-in-MotionHub test relies on does see a violation when one happens."""

from __future__ import annotations

import pytest

from motionhub.core import security


@pytest.mark.e2e
def test_chromium_enforces_the_policy_and_the_watch_sees_violations(
    new_context, live_server, transactional_db
):
    context, watch = new_context()
    page = context.new_page()

    response = page.goto("/login/")

    assert response.headers["content-security-policy"] == security.policy()
    assert page.locator("link[rel=stylesheet]").count() == 1
    # Our own stylesheet applies (it is 'self'), so the page is styled...
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
    watch.assert_clean()

    # ...while an injected inline script, inline style and event handler are all refused.
    page.evaluate(
        """() => {
        const script = document.createElement('script');
        script.textContent = 'window.__ran = true';
        document.head.appendChild(script);
        document.body.setAttribute('style', 'background: red');
        const img = document.createElement('img');
        img.setAttribute('src', 'data:,');
        img.setAttribute('onerror', 'window.__ran = true');
        document.body.appendChild(img);
    }"""
    )
    page.wait_for_function("() => true")  # let the violation events be delivered

    assert page.evaluate("() => window.__ran") is None
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    directives = {v["directive"] for v in watch.violations}
    assert {"script-src-elem", "style-src-attr"} <= directives, watch.violations
    with pytest.raises(AssertionError, match="CSP violations"):
        watch.assert_clean()
