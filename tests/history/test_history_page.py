"""/tasks/: every task, newest first, with filters that live in the address and pages that
stay as cheap 1 000 pages deep as on the first."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.db import connection as db_connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motionhub.history import filters as history
from motionhub.history.keyset import cursor
from motionhub.tasks.models import Kind, MotionTask, State

from .conftest import EXPORT, HISTORY, pager_link, shown_ids

# --- Who may see it --------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(db):
    response = Client().get(HISTORY)

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_signed_in_person_without_a_role_is_refused(dave):
    client = Client()
    client.force_login(dave)

    assert client.get(HISTORY).status_code == 403


def test_a_viewer_reads_the_history_and_finds_it_in_the_navigation(viewer_client):
    response = viewer_client.get(HISTORY)

    assert response.status_code == 200
    assert f'href="{HISTORY}" aria-current="page">Tasks</a>' in response.content.decode()


def test_the_page_only_answers_get(viewer_client):
    assert viewer_client.post(HISTORY).status_code == 405


# --- What a row shows ------------------------------------------------------------------------


def _row(response, task: MotionTask) -> str:
    page = response.content.decode()
    return page[page.index(f'<tr id="task-{task.pk}"') :].split("</tr>")[0]


def test_a_row_shows_kind_name_account_who_state_error_times_and_duration(
    viewer_client, make_task, one, bob
):
    created = timezone.now() - timedelta(days=1)
    task = make_task(
        "Moonwalk",
        at=created,
        kind=Kind.MOTION_CREATE,
        account=one,
        submitted_by=bob,
        state=State.FAILED,
        error_category="moderation",
        finished_at=created + timedelta(minutes=2, seconds=5),
    )

    row = _row(viewer_client.get(HISTORY), task)

    local = timezone.localtime(created)
    for text in (
        "Motion create",
        f'<a href="{HISTORY}{task.pk}/">Moonwalk</a>',
        f'<a href="{HISTORY}?account={one.pk}">One</a>',
        "bob",
        '<span class="badge failed">Failed</span>',
        '<span class="badge category">moderation</span>',
        local.strftime("%Y-%m-%d %H:%M:%S"),
        (local + timedelta(minutes=2, seconds=5)).strftime("%Y-%m-%d %H:%M:%S"),
        "2 m 05 s",
    ):
        assert text in row


def test_a_task_still_in_progress_is_running_and_an_automatic_one_says_so(viewer_client, make_task):
    task = make_task(state=State.QUEUED, auto_account=True)

    row = _row(viewer_client.get(HISTORY), task)

    assert "running" in row and "automatic" in row and '<span class="badge queued">' in row


def test_names_and_account_labels_from_people_and_upstream_are_escaped(
    viewer_client, make_task, connection
):
    from motionhub.accounts.models import KlingAccount

    evil = KlingAccount.objects.create(
        connection=connection, email="x@example.com", label='<img src=x onerror="alert(2)">'
    )
    make_task("<script>alert(1)</script>", account=evil, error_category="gone")

    page = viewer_client.get(HISTORY).content.decode()

    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in page


def test_it_shows_every_task_newest_first(viewer_client, make_task):
    old = make_task("old", ago=timedelta(days=2))
    new = make_task("new", ago=timedelta(minutes=1))
    middle = make_task("middle", ago=timedelta(days=1))

    assert shown_ids(viewer_client.get(HISTORY)) == [new.pk, middle.pk, old.pk]


def test_an_empty_history_says_so(viewer_client):
    assert "No tasks." in viewer_client.get(HISTORY).content.decode()


# --- Filters and search ----------------------------------------------------------------------


@pytest.fixture
def tasks(make_task, one, two, alice, bob):
    """A small, varied history keyed by name."""
    now = timezone.now()
    rows = [
        # name, account, who, kind, state, error, created
        ("Moonwalk", one, alice, Kind.MOTION_UPLOAD, State.SUCCEEDED, "", now - timedelta(days=3)),
        (
            "Robot",
            two,
            bob,
            Kind.MOTION_UPLOAD,
            State.FAILED,
            "moderation",
            now - timedelta(days=2),
        ),
        ("Moonwalk v2", one, bob, Kind.MOTION_CREATE, State.REJECTED, "invalid_input", now),
        ("Spin", two, alice, Kind.MOTION_CREATE, State.PROCESSING, "", now),
        ("Queued", None, bob, Kind.MOTION_UPLOAD, State.QUEUED, "", now),
    ]
    made = {}
    for name, account, who, kind, state, error, created in rows:
        made[name] = make_task(
            name,
            at=created,
            account=account,
            submitted_by=who,
            kind=kind,
            state=state,
            error_category=error,
            upstream_task_id=9007199254740993 if name == "Robot" else None,
        )
    return made


def _shown(client, tasks, **query) -> set[str]:
    ids = set(shown_ids(client.get(HISTORY, query)))
    return {name for name, task in tasks.items() if task.pk in ids}


def test_it_filters_by_account(viewer_client, tasks, one):
    assert _shown(viewer_client, tasks, account=one.pk) == {"Moonwalk", "Moonwalk v2"}


def test_it_filters_by_kind(viewer_client, tasks):
    assert _shown(viewer_client, tasks, kind="motion_create") == {"Moonwalk v2", "Spin"}


def test_it_filters_by_state(viewer_client, tasks):
    assert _shown(viewer_client, tasks, state="failed") == {"Robot"}
    assert _shown(viewer_client, tasks, state="succeeded") == {"Moonwalk"}


def test_it_filters_by_groups_of_states(viewer_client, tasks):
    assert _shown(viewer_client, tasks, state="in_progress") == {"Spin", "Queued"}
    assert _shown(viewer_client, tasks, state="failures") == {"Robot", "Moonwalk v2"}


def test_it_filters_by_error_category_or_by_any_error(viewer_client, tasks):
    assert _shown(viewer_client, tasks, error="moderation") == {"Robot"}
    assert _shown(viewer_client, tasks, error="any") == {"Robot", "Moonwalk v2"}


def test_it_filters_by_who_submitted(viewer_client, tasks):
    assert _shown(viewer_client, tasks, who="alice") == {"Moonwalk", "Spin"}


def test_it_filters_by_dates_with_both_days_included(viewer_client, tasks):
    today = timezone.localdate()
    three_days_ago = (today - timedelta(days=3)).isoformat()
    two_days_ago = (today - timedelta(days=2)).isoformat()

    assert _shown(viewer_client, tasks, **{"from": three_days_ago, "to": two_days_ago}) == {
        "Moonwalk",
        "Robot",
    }
    assert _shown(viewer_client, tasks, **{"from": today.isoformat()}) == {
        "Moonwalk v2",
        "Spin",
        "Queued",
    }


def test_the_search_finds_names_in_any_case_and_upstream_ids_exactly(viewer_client, tasks):
    assert _shown(viewer_client, tasks, q="moonWALK") == {"Moonwalk", "Moonwalk v2"}
    assert _shown(viewer_client, tasks, q="9007199254740993") == {"Robot"}
    assert _shown(viewer_client, tasks, q="900719925474099") == set()
    # A number too large for an upstream id is only a name search, not an error.
    assert _shown(viewer_client, tasks, q="9" * 30) == set()


def test_filters_combine(viewer_client, tasks, one):
    assert _shown(viewer_client, tasks, account=one.pk, who="bob", error="any") == {"Moonwalk v2"}
    assert _shown(viewer_client, tasks, kind="motion_create", state="in_progress", q="sp") == {
        "Spin"
    }
    assert _shown(viewer_client, tasks, account=one.pk, state="processing") == set()


def test_a_view_loaded_again_shows_what_changed_since(viewer_client, tasks, make_task, one):
    """Each view's page query is compiled once and run again on every load (views.py): the
    rows it finds are always the table's, and each filter keeps its own query."""
    assert _shown(viewer_client, tasks, state="failed") == {"Robot"}
    tasks["Fell"] = make_task("Fell", account=one, state=State.FAILED)
    tasks["Spin"].state = State.FAILED
    tasks["Spin"].save(update_fields=["state"])

    assert _shown(viewer_client, tasks, state="failed") == {"Robot", "Fell", "Spin"}
    assert _shown(viewer_client, tasks, state="failed", account=one.pk) == {"Fell"}
    assert _shown(viewer_client, tasks, state="succeeded") == {"Moonwalk"}


def test_the_same_dates_are_read_in_the_sites_time_zone_of_the_moment(
    viewer_client, make_task, settings
):
    noon_utc = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    noon_utc -= timedelta(days=5)
    task = make_task("Noon", at=noon_utc)
    day = {"from": noon_utc.date().isoformat(), "to": noon_utc.date().isoformat()}

    settings.TIME_ZONE = "UTC"
    in_utc = shown_ids(viewer_client.get(HISTORY, day))
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: noon UTC is 02:00 the next day there
    in_kiritimati = shown_ids(viewer_client.get(HISTORY, day))

    assert in_utc == [task.pk]
    assert in_kiritimati == []


def test_an_invalid_filter_is_pointed_out_and_the_others_still_apply(viewer_client, tasks):
    response = viewer_client.get(HISTORY, {"who": "bob", "from": "not-a-date", "state": "nope"})

    page = response.content.decode()
    assert "Use a date like 2025-01-31." in page and "No such state." in page
    assert _shown(viewer_client, tasks, who="bob", state="nope") == {
        "Robot",
        "Moonwalk v2",
        "Queued",
    }
    assert "No such person." in viewer_client.get(HISTORY, {"who": "nobody"}).content.decode()
    assert "No such account." in viewer_client.get(HISTORY, {"account": "x"}).content.decode()


def test_a_from_date_after_the_to_date_is_pointed_out(viewer_client, tasks):
    response = viewer_client.get(HISTORY, {"from": "2030-01-02", "to": "2030-01-01"})

    assert "before the “from” date" in response.content.decode()


def test_a_filtered_view_round_trips_through_its_address(viewer_client, tasks, one):
    query = {
        "q": "moon",
        "account": str(one.pk),
        "kind": "motion_create",
        "state": "rejected",
        "error": "invalid_input",
        "who": "bob",
        "from": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "to": timezone.localdate().isoformat(),
    }
    response = viewer_client.get(HISTORY, query)
    page = response.content.decode()

    # The form shows every value, so submitting it again (a GET form) gives the same address.
    assert shown_ids(response) == [tasks["Moonwalk v2"].pk]
    assert '<form method="get"' in page and 'value="moon"' in page
    for name in ("account", "kind", "state", "error", "who"):
        assert f'<option value="{query[name]}" selected>' in page
    assert f'name="from" value="{query["from"]}"' in page
    assert f'name="to" value="{query["to"]}"' in page
    # The export link carries exactly the same filters.
    export = urlsplit(page.split('class="button" href="')[1].split('"')[0].replace("&amp;", "&"))
    assert export.path == EXPORT
    assert {k: v[0] for k, v in parse_qs(export.query).items()} == query
    # And the canonical form of the filters reads back to the same filters.
    choices = history.Choices.load()
    parsed = history.Filters.parse(query, choices)
    assert history.Filters.parse(QueryDict(parsed.query_string()), choices).as_dict() == query
    assert "Clear filters" in page


# --- Pages -----------------------------------------------------------------------------------


@pytest.fixture
def many(make_task, one):
    """120 tasks, a minute apart, with three sharing one created_at (ties break by id)."""
    start = timezone.now() - timedelta(days=1)
    made = [
        make_task(f"task {i}", at=start + timedelta(minutes=i), account=one) for i in range(117)
    ]
    made += [
        make_task(f"tie {i}", at=start + timedelta(minutes=200), account=one) for i in range(3)
    ]
    return made


def _newest_first(tasks) -> list[int]:
    return [t.pk for t in sorted(tasks, key=lambda t: (t.created_at, t.pk), reverse=True)]


def test_older_and_newer_pages_cover_every_task_once_in_order(viewer_client, many):
    expected = _newest_first(many)

    first = viewer_client.get(HISTORY)
    second = viewer_client.get(pager_link(first, "next"))
    third = viewer_client.get(pager_link(second, "next"))

    assert shown_ids(first) == expected[:50]
    assert shown_ids(second) == expected[50:100]
    assert shown_ids(third) == expected[100:]
    assert pager_link(first, "prev") is None and pager_link(third, "next") is None
    # Back towards the newest: the same pages again.
    back = viewer_client.get(pager_link(third, "prev"))
    assert shown_ids(back) == expected[50:100]
    assert shown_ids(viewer_client.get(pager_link(back, "prev"))) == expected[:50]


def test_a_deep_page_is_reached_directly_from_a_cursor(viewer_client, many):
    expected = _newest_first(many)
    edge = MotionTask.objects.get(pk=expected[99])

    page = viewer_client.get(HISTORY, {"before": cursor(edge.created_at, edge.pk)})

    assert shown_ids(page) == expected[100:]
    assert pager_link(page, "prev") and pager_link(page, "next") is None
    assert "Newest" in page.content.decode()


def test_pages_keep_the_filters(viewer_client, many, make_task, two):
    others = [make_task(f"other {i}", account=two) for i in range(3)]

    first = viewer_client.get(HISTORY, {"account": many[0].account_id})
    older = pager_link(first, "next")

    assert f"account={many[0].account_id}" in older
    second_ids = shown_ids(viewer_client.get(older))
    assert not {t.pk for t in others} & set(second_ids)
    assert second_ids == _newest_first(many)[50:100]


def test_a_cursor_that_is_not_one_shows_the_first_page(viewer_client, many):
    response = viewer_client.get(HISTORY, {"before": "garbage", "after": "1_x"})

    assert shown_ids(response) == _newest_first(many)[:50]


def test_paging_never_counts_the_table_nor_skips_rows_with_offset(viewer_client, many):
    first = viewer_client.get(HISTORY)
    with CaptureQueriesContext(db_connection) as queries:
        viewer_client.get(pager_link(first, "next"))

    sql = " ".join(q["sql"].upper() for q in queries)
    assert "COUNT(" not in sql and "OFFSET" not in sql


def test_an_htmx_page_change_returns_only_the_results(viewer_client, many):
    response = viewer_client.get(
        pager_link(viewer_client.get(HISTORY), "next"), headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert page.lstrip().startswith('<section id="history-results">')
    assert "<form" not in page and len(shown_ids(response)) == 50


def test_the_number_of_queries_does_not_grow_with_the_rows(
    viewer_client, make_task, django_assert_max_num_queries
):
    for i in range(3):
        make_task(f"few {i}")
    viewer_client.get(HISTORY)  # the session's first page remembers the role: one write more
    with CaptureQueriesContext(db_connection) as few:
        viewer_client.get(HISTORY)
    users = [User.objects.create(username=f"u{i}") for i in range(5)]
    for i in range(60):
        make_task(f"many {i}", submitted_by=users[i % 5])

    with django_assert_max_num_queries(6):
        first = viewer_client.get(HISTORY)
    with django_assert_max_num_queries(6):
        viewer_client.get(pager_link(first, "next"))
    with CaptureQueriesContext(db_connection) as lots:
        viewer_client.get(HISTORY, {"who": "u1", "state": "queued"})
    assert len(few) == len(lots)
