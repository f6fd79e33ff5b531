"""Browser tests: Playwright (Python, sync API) driving Debian's chromium against the live
server, a real django-q2 worker cluster on the test database, and the built-in sandbox.

- Chromium is Debian's (`/usr/bin/chromium`, or MOTIONHUB_CHROMIUM); `make test` installs it
  with apt-get when it is missing. Without it these tests FAIL, saying so: never skipped.
  (Playwright's own browser download is never used.)
- Every page visited is watched for Content-Security-Policy violations (the
  `securitypolicyviolation` DOM event and Chromium's console reports) and script errors.
- Screenshots of each step are kept in test-artifacts/e2e/, the worker's log next to them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
# Flags that keep Chromium off the network it has no business with (see the machine notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
TIMEOUT_MS = 30_000


def chromium_path() -> str:
    """Debian's chromium, or fail the test with what to do about it."""
    candidates = [
        os.environ.get("MOTIONHUB_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "The browser tests need Debian's chromium, and none was found (looked for "
        "MOTIONHUB_CHROMIUM, /usr/bin/chromium, chromium on PATH). `make test` installs it "
        "(as root: apt-get update && apt-get install -y chromium); never `playwright install`.",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def async_unsafe_allowed() -> Iterator[None]:
    """Playwright's sync API keeps an event loop running in this thread; the test's own ORM
    calls are still plain synchronous code, so Django's guard against that is lifted here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(async_unsafe_allowed):
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev.txt pins it
        pytest.fail("playwright is not installed: `make test` installs requirements-dev.txt")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@dataclass
class Watch:
    """What the pages of one browser context reported."""

    violations: list[dict] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    @property
    def csp_console(self) -> list[str]:
        return [line for line in self.console if "Content Security Policy" in line]

    @property
    def console_errors(self) -> list[str]:
        """Errors on the console other than an answer's status (the favicon's 404, a 403 the
        test asked for on purpose): those are the server's to explain, not the page's."""
        return [
            line
            for line in self.console
            if line.startswith("error:") and "Failed to load resource" not in line
        ]

    def assert_clean(self) -> None:
        assert self.violations == [], f"CSP violations: {self.violations}"
        assert self.csp_console == [], f"CSP reports on the console: {self.csp_console}"
        assert self.errors == [], f"script errors: {self.errors}"
        assert self.console_errors == [], f"errors on the console: {self.console_errors}"


# Runs in every document before its own scripts (and is not subject to the page's CSP).
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__reportViolation({directive: e.violatedDirective, blocked: e.blockedURI,
                            sample: e.sample, page: document.location.href,
                            source: e.sourceFile + ":" + e.lineNumber});
}, true);
"""


@pytest.fixture
def new_context(browser, live_server) -> Iterator[Callable]:
    """A fresh browser context (its own cookies) and the Watch of its pages."""
    made: list[tuple[object, Watch]] = []

    def make():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        watch = Watch()
        context.expose_binding("__reportViolation", lambda source, v: watch.violations.append(v))
        context.add_init_script(_REPORT_VIOLATIONS)

        def on_page(page):
            page.on("console", lambda m: watch.console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: watch.errors.append(str(e)))
            page.on(
                "framenavigated",
                lambda f: watch.visited.append(f.url) if f == page.main_frame else None,
            )

        context.on("page", on_page)
        made.append((context, watch))
        return context, watch

    yield make
    for context, _watch in made:
        context.close()


class Shots:
    """Numbered screenshots of each step, kept in test-artifacts/e2e/, and the HTML the
    browser had at each of them (for "is this secret anywhere on screen" checks)."""

    def __init__(self) -> None:
        self.taken: list[Path] = []
        self.html: dict[str, str] = {}

    def __call__(self, page, name: str) -> Path:
        path = ARTIFACTS / f"{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        self.html[name] = page.content()
        return path


@pytest.fixture
def shot() -> Shots:
    """Screenshots of this run only: the previous run's are removed first."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return Shots()


# --- the worker cluster ------------------------------------------------------------------


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


WORKER_LOG = ARTIFACTS / "worker.log"


@pytest.fixture
def worker(media_root, transactional_db, sandbox_on) -> Iterator[subprocess.Popen]:
    """A real `manage.py qcluster` on the test database, sharing MEDIA_ROOT, with quick polls
    and a quick sandbox. Its output (at DEBUG) goes to test-artifacts/e2e/worker.log."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = WORKER_LOG
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="motionhub.settings",
        DATABASE_URL=database_url(),
        MEDIA_ROOT=str(media_root),
        MOTIONHUB_SANDBOX="1",
        MOTIONHUB_SANDBOX_TASK_SECONDS="3",
        MOTIONHUB_POLL_SECONDS="0.5",
        Q_WORKERS="3",
        LOG_LEVEL="DEBUG",
        PYTHONUNBUFFERED="1",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            # Shown with the test's output when it fails; the whole log stays in ARTIFACTS.
            print("--- the worker's log, last lines ---")
            print(log_path.read_text()[-4000:])


def wait_for(predicate: Callable[[], object], timeout: float, what: str):
    """Poll `predicate` (a database read) until it is truthy; fail saying `what` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
