"""/audit/: who may see it, filters that can be bookmarked, and pages that stay fast."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motionhub import audit
from motionhub.accounts.models import KlingAccount
from motionhub.audit.models import AuditEntry
from tests.audit.conftest import TOKEN

URL = reverse("audit:index")


def _ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="entry-(\d+)"', response.content.decode())]


def _link(response, rel: str) -> str | None:
    """The URL behind "Older →" (next) or "← Newer" (prev); the page links to its own address."""
    match = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return URL + match.group(1).replace("&amp;", "&") if match else None


def _newest_first(entries) -> list[int]:
    """The ids of `entries` in page order, among all entries (sign-ins by the fixtures too)."""
    wanted = {e.pk for e in entries}
    everything = AuditEntry.objects.order_by("-at", "-pk").values_list("pk", flat=True)
    return [pk for pk in everything if pk in wanted]


# --- Who may see it --------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(db):
    response = Client().get(URL)

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_signed_in_person_without_a_role_is_refused(dave):
    client = Client()
    client.force_login(dave)

    assert client.get(URL).status_code == 403


def test_a_viewer_reads_the_log_and_finds_it_in_the_navigation(viewer_client):
    response = viewer_client.get(URL)

    assert response.status_code == 200
    assert f'href="{URL}" aria-current="page">Audit</a>' in response.content.decode()


def test_the_page_only_answers_get(viewer_client):
    assert viewer_client.post(URL).status_code == 405


# --- What a row shows ------------------------------------------------------------------------


def test_a_row_shows_when_who_what_target_account_outcome_detail_and_address(
    viewer_client, alice, kling_account
):
    entry = AuditEntry.objects.create(
        actor=alice,
        actor_name="alice",
        action="motion.delete",
        target_type="motions.motion",
        target_id="314159265358979323",
        target_label="Moonwalk",
        account=kling_account,
        account_label="One <one@example.com>",
        outcome="ok",
        detail="deleted upstream",
        ip="203.0.113.9",
        at=timezone.make_aware(datetime(2030, 5, 4, 12, 30, 15)),
    )

    page = viewer_client.get(URL).content.decode()
    row = page[page.index(f'id="entry-{entry.pk}"') :].split("</tr>")[0]

    for text in (
        "2030-05-04 12:30:15",
        "alice",
        "Deleted a motion",
        "Moonwalk",
        "#314159265358979323",
        "One",
        '<span class="badge ok">ok</span>',
        "deleted upstream",
        "203.0.113.9",
    ):
        assert text in row


def test_an_entry_keeps_the_account_name_after_the_account_is_gone(viewer_client, kling_account):
    audit.record(None, audit.Action.MOTION_DELETE, account=kling_account, target_label="Jig")
    KlingAccount.objects.all().delete()

    assert "One &lt;one@example.com&gt;" in viewer_client.get(URL).content.decode()


def test_text_from_people_and_upstream_is_escaped(viewer_client):
    audit.record(
        None,
        audit.Action.MOTION_UPLOAD,
        target_label="<script>alert(1)</script>",
        detail='<img src=x onerror="alert(2)">',
        actor_name="<b>eve</b>",
    )

    page = viewer_client.get(URL).content.decode()

    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page
    assert "<b>eve</b>" not in page


def test_no_token_or_password_reaches_the_page(viewer_client, admin_client_, connection):
    admin_client_.post(
        reverse("accounts:connection_edit", args=[connection.pk]),
        {"name": "Production", "base_url": connection.base_url, "token": "user:9-NeverShowMe"},
    )
    Client().post(reverse("login"), {"username": "charlie", "password": "Typo-Secret-99"})

    page = viewer_client.get(URL).content.decode()

    assert "Changed a connection" in page and "Failed sign-in" in page
    for secret in ("NeverShowMe", TOKEN, "Typo-Secret-99", connection.token_encrypted):
        assert secret not in page


# --- Filters and search ----------------------------------------------------------------------


@pytest.fixture
def history(db, kling_account, connection):
    two = KlingAccount.objects.create(connection=connection, email="two@example.com")
    now = timezone.now()
    rows = [
        ("alice", "motion.delete", "Moonwalk", "111", kling_account, "ok", now - timedelta(days=3)),
        ("bob", "motion.delete", "Robot", "222", two, "ok", now - timedelta(days=2)),
        ("bob", "motion.upload", "Moonwalk v2", "333", kling_account, "failed", now),
        ("mallory", "auth.login_failed", "", "", None, "refused", now),
    ]
    return {
        label or name: AuditEntry.objects.create(
            actor_name=name,
            action=action,
            target_label=label,
            target_id=target_id,
            account=account,
            outcome=outcome,
            at=at,
        )
        for name, action, label, target_id, account, outcome, at in rows
    }


def _shown(client, history, **query) -> set[str]:
    """Which of the `history` entries the page shows (the fixtures' own sign-ins aside)."""
    response = client.get(URL, query)
    assert response.status_code == 200
    ids = set(_ids(response))
    return {name for name, entry in history.items() if entry.pk in ids}


def test_it_filters_by_person_including_failed_sign_ins_under_the_name_tried(
    viewer_client, history
):
    assert _shown(viewer_client, history, person="bob") == {"Robot", "Moonwalk v2"}
    assert _shown(viewer_client, history, person="mallory") == {"mallory"}


def test_it_filters_by_action(viewer_client, history):
    assert _shown(viewer_client, history, action="motion.delete") == {"Moonwalk", "Robot"}


def test_it_filters_by_account(viewer_client, history, kling_account):
    assert _shown(viewer_client, history, account=kling_account.pk) == {"Moonwalk", "Moonwalk v2"}


def test_it_filters_by_outcome(viewer_client, history):
    assert _shown(viewer_client, history, outcome="refused") == {"mallory"}


def test_it_filters_by_dates_with_both_days_included(viewer_client, history):
    today = timezone.localdate()
    three_days_ago = (today - timedelta(days=3)).isoformat()
    two_days_ago = (today - timedelta(days=2)).isoformat()

    assert _shown(viewer_client, history, date_from=three_days_ago, date_to=two_days_ago) == {
        "Moonwalk",
        "Robot",
    }
    assert _shown(viewer_client, history, date_from=today.isoformat()) == {"Moonwalk v2", "mallory"}


def test_it_searches_the_target_name_and_matches_ids_exactly(viewer_client, history):
    assert _shown(viewer_client, history, q="moonwalk") == {"Moonwalk", "Moonwalk v2"}
    assert _shown(viewer_client, history, q="222") == {"Robot"}
    assert _shown(viewer_client, history, q="22") == set()


def test_filters_combine_to_answer_who_deleted_a_motion_on_which_account(
    viewer_client, history, kling_account
):
    response = viewer_client.get(URL, {"action": "motion.delete", "q": "Moonwalk"})

    assert _ids(response) == [history["Moonwalk"].pk]
    page = response.content.decode()
    row = page[page.index(f'id="entry-{history["Moonwalk"].pk}"') :].split("</tr>")[0]
    assert "alice" in row and "One" in row


def test_an_invalid_filter_is_shown_as_an_error_and_the_others_still_apply(viewer_client, history):
    response = viewer_client.get(URL, {"person": "bob", "date_from": "not-a-date"})

    assert "Enter a valid date." in response.content.decode()
    assert _shown(viewer_client, history, person="bob", date_from="not-a-date") == {
        "Robot",
        "Moonwalk v2",
    }


def test_a_from_date_after_the_to_date_is_pointed_out(viewer_client, history):
    response = viewer_client.get(URL, {"date_from": "2030-01-02", "date_to": "2030-01-01"})

    assert "before the “From” date" in response.content.decode()


def test_the_filter_form_keeps_its_values_so_the_view_can_be_bookmarked(viewer_client, history):
    page = viewer_client.get(URL, {"person": "bob", "action": "motion.upload"}).content.decode()

    assert 'value="bob"' in page
    assert '<option value="motion.upload" selected>' in page
    assert "Clear filters" in page


# --- Pages -----------------------------------------------------------------------------------


def test_older_and_newer_pages_cover_every_entry_once_in_order(viewer_client, make_entries):
    make_entries(120)
    newest_first = _newest_first(AuditEntry.objects.all())  # with charlie's sign-in and role
    assert len(newest_first) == 122

    first = viewer_client.get(URL)
    second = viewer_client.get(_link(first, "next"))
    third = viewer_client.get(_link(second, "next"))

    assert _ids(first) + _ids(second) + _ids(third) == newest_first
    assert [len(_ids(r)) for r in (first, second, third)] == [50, 50, 22]
    assert _link(first, "prev") is None and _link(third, "next") is None

    back = viewer_client.get(_link(third, "prev"))
    assert _ids(back) == _ids(second)
    assert _ids(viewer_client.get(_link(back, "prev"))) == _ids(first)
    assert _link(viewer_client.get(_link(back, "prev")), "prev") is None


def test_entries_at_the_same_instant_are_neither_skipped_nor_repeated(viewer_client, make_entries):
    made = make_entries(60)
    same_time = timezone.now() - timedelta(hours=1)
    made += [
        AuditEntry.objects.create(at=same_time, action="auth.login", actor_name="x")
        for _ in range(70)
    ]

    seen, response = [], viewer_client.get(URL)
    while True:
        seen += _ids(response)
        if not (older := _link(response, "next")):
            break
        response = viewer_client.get(older)

    assert seen == _newest_first(AuditEntry.objects.all())
    assert set(seen) >= {e.pk for e in made}


def test_pages_keep_the_filters(viewer_client, make_entries):
    make_entries(60, action="motion.delete")
    make_entries(60, action="auth.login")

    first = viewer_client.get(URL, {"action": "motion.delete"})
    older = _link(first, "next")

    assert "action=motion.delete" in older
    second = viewer_client.get(older)
    assert _ids(first) + _ids(second) == _newest_first(
        AuditEntry.objects.filter(action="motion.delete")
    )
    assert _link(second, "next") is None


def test_a_hand_edited_cursor_shows_the_newest_page(viewer_client, make_entries):
    make_entries(3)
    newest = _ids(viewer_client.get(URL))

    assert _ids(viewer_client.get(URL, {"before": "garbage"})) == newest
    assert _ids(viewer_client.get(URL, {"after": "1_x"})) == newest
    assert _ids(viewer_client.get(URL, {"after": "99999999999999999_9"})) == newest


def test_an_htmx_page_change_returns_only_the_results(viewer_client, make_entries):
    make_entries(60)
    older = _link(viewer_client.get(URL), "next")

    response = viewer_client.get(older, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert page.lstrip().startswith('<section id="audit-results">')
    assert "<html" not in page and len(_ids(response)) == 12  # 60 + charlie's 2, less 50


def test_the_page_runs_the_same_few_queries_whatever_it_shows(
    viewer_client, make_entries, connection, django_assert_max_num_queries
):
    people = [User.objects.create_user(f"p{i}") for i in range(5)]
    accounts = [
        KlingAccount.objects.create(connection=connection, email=f"a{i}@example.com")
        for i in range(5)
    ]
    for i in range(120):
        audit.record(
            None,
            audit.Action.MOTION_DELETE,
            actor=people[i % 5],
            account=accounts[i % 5],
            target_label=f"m{i}",
        )

    def count(**query) -> int:
        with CaptureQueriesContext(db_connection) as queries:
            assert viewer_client.get(URL, query).status_code == 200
        return len(queries)

    first = count()
    older = count(before=_link(viewer_client.get(URL), "next").split("before=")[1])
    filtered = count(account=accounts[0].pk, person="p0", q="m", date_from="2000-01-01")

    assert older <= first + 1 and filtered <= first + 2  # a cursor or a chosen account: +1 each
    with django_assert_max_num_queries(10):
        viewer_client.get(URL)


def test_it_never_counts_the_whole_log(viewer_client, make_entries):
    make_entries(5)

    with CaptureQueriesContext(db_connection) as queries:
        viewer_client.get(URL)

    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
