"""The library page: served from the cache only, filtered from the query string, tolerant of odd
motions, escaped, and a fixed number of queries however many cards it shows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.library.listing import PAGE_SIZE
from motionhub.library.models import LibrarySync, Origin

from .conftest import HX


def cards(page: str) -> list[str]:
    return re.findall(r'<article class="card motion-card[^"]*" id="motion-(\d+)"', page)


def test_the_page_shows_cached_motions_and_never_calls_upstream(
    viewer_client, account, make_motion, synced, no_upstream
):
    synced(account, mine_count=2)
    wave = make_motion(account, name="Wave", duration_ms=4250)
    spin = make_motion(account, name="Spin", cover_url="", bvh_url="https://cdn.test/spin.bvh.zip",
                       binary_url="https://cdn.test/spin.bin.zip")  # fmt: skip

    response = viewer_client.get("/motions/")

    assert response.status_code == 200
    page = response.content.decode()
    assert cards(page) == [str(wave.pk), str(spin.pk)]
    assert "Wave" in page and "Spin" in page
    assert f"<code>{wave.work_id}</code>" in page
    assert "4.2 s" in page
    assert f'src="{wave.cover_url}"' in page
    assert "no cover" in page  # Spin has none: a placeholder, no broken image
    assert 'href="https://cdn.test/spin.bvh.zip"' in page
    assert 'href="https://cdn.test/spin.bin.zip"' in page
    assert 'Our motions <span class="muted">(2)</span>' in page
    assert "synced" in page and "ago" in page
    assert len(no_upstream.calls) == 0


def test_videos_are_previewed_on_demand_only(viewer_client, account, make_motion, synced):
    synced(account)
    for _ in range(5):
        make_motion(account)

    page = viewer_client.get("/motions/").content.decode()

    videos = re.findall(r"<video[^>]*>", page)
    assert len(videos) == 5
    assert all('preload="none"' in v and "autoplay" not in v for v in videos)
    assert page.count('<details class="motion-preview">') == 5


def test_a_failed_refresh_shows_the_cached_library_with_a_warning(
    viewer_client, account, make_motion, synced
):
    synced(
        account,
        last_synced_at=timezone.now() - timedelta(hours=3),
        last_error="Our motions: The upstream service is having trouble.",
    )
    make_motion(account, name="Still here")

    page = viewer_client.get("/motions/").content.decode()

    assert "Still here" in page
    assert 'class="msg warning library-warning"' in page
    assert "The upstream service is having trouble." in page
    assert "Showing the motions cached 3" in page


def test_an_account_never_synced_says_so(viewer_client, account):
    page = viewer_client.get("/motions/").content.decode()

    assert "never synced" in page
    assert "No motions of yours are cached" in page


def test_account_tab_and_tag_come_from_the_query_string(
    viewer_client, account, other_account, make_motion, synced
):
    synced(account, official_synced_at=timezone.now())
    synced(other_account, official_synced_at=timezone.now())
    mine_a = make_motion(account, name="A's own")
    mine_b = make_motion(other_account, name="B's own")
    basic = make_motion(account, Origin.OFFICIAL, name="Basic one", tag="basic")
    dance = make_motion(account, Origin.OFFICIAL, name="Dance one", tag="dance")

    everyone = viewer_client.get("/motions/").content.decode()
    only_b = viewer_client.get(f"/motions/?account={other_account.pk}").content.decode()
    official = viewer_client.get(f"/motions/?account={account.pk}&tab=official").content.decode()
    dancing = viewer_client.get(
        f"/motions/?account={account.pk}&tab=official&tag=dance"
    ).content.decode()

    assert set(cards(everyone)) == {str(mine_a.pk), str(mine_b.pk)}
    assert cards(only_b) == [str(mine_b.pk)]
    assert f'<option value="{other_account.pk}" selected>' in only_b
    assert set(cards(official)) == {str(basic.pk), str(dance.pk)}
    assert ">dance</a>" in official and ">basic</a>" in official
    assert cards(dancing) == [str(dance.pk)]
    # Tabs keep the account; switching tab forgets the tag and the page.
    assert f'href="?account={account.pk}&amp;tab=mine"' in dancing


def test_nonsense_in_the_query_string_falls_back_to_defaults(viewer_client, account, make_motion):
    mine = make_motion(account)

    response = viewer_client.get("/motions/?account=abc&tab=evil&page=-3&tag=" + "x" * 500)

    assert response.status_code == 200
    assert cards(response.content.decode()) == [str(mine.pk)]


def test_the_all_accounts_official_tab_shows_each_connections_list_once(
    viewer_client, account, other_account, make_motion, synced
):
    synced(account, official_synced_at=timezone.now(), official_count=1)
    # Read an hour ago: the other account of the connection has the fresher copy.
    synced(other_account, official_synced_at=timezone.now() - timedelta(hours=1), official_count=1)
    shown = make_motion(account, Origin.OFFICIAL, key="work:-1", name="Glide")
    make_motion(other_account, Origin.OFFICIAL, key="work:-1", name="Glide")
    second = Connection(name="Second", base_url="https://elsewhere.test/v1/kling")
    second.set_token("user:1-x")
    second.save()
    elsewhere = KlingAccount.objects.create(connection=second, email="c@example.com")
    synced(elsewhere, official_synced_at=timezone.now(), official_count=1)
    theirs = make_motion(elsewhere, Origin.OFFICIAL, key="work:-1", name="Glide")

    page = viewer_client.get("/motions/?tab=official").content.decode()

    assert sorted(cards(page)) == sorted([str(shown.pk), str(theirs.pk)])
    assert 'Official motions <span class="muted">(2)</span>' in page


def test_own_motions_say_who_uploaded_them_and_link_the_task(
    viewer_client, account, make_motion, upload_task
):
    task = upload_task(account, task_id=1)
    make_motion(account, name="Ours", source_task=task)
    make_motion(account, name="Theirs")

    page = viewer_client.get("/motions/").content.decode()

    assert "Uploaded by bob" in page
    assert f'href="/tasks/{task.pk}/"' in page
    assert "Uploaded outside MotionHub" in page


def test_official_motions_show_no_origin_and_no_delete(operator_client, account, make_motion):
    make_motion(account, Origin.OFFICIAL, name="Glide")

    page = operator_client.get("/motions/?tab=official").content.decode()

    assert "Glide" in page
    assert "Uploaded" not in page
    assert "Delete" not in page


def test_a_2026_motion_offers_no_delete_and_says_why(operator_client, account, make_motion):
    make_motion(account, key="asset:m1", shape="2026", work_id=None, task_id=None, asset_id="m1")

    page = operator_client.get("/motions/").content.decode()

    assert "<code>m1</code>" in page
    assert re.search(r'<button type="button" class="danger" disabled[^>]*>Delete</button>', page)
    assert "This API generation offers no way to delete a motion." in page
    assert "/motions/delete/?motion=" not in page


def test_viewers_see_no_refresh_and_no_delete_controls(viewer_client, account, make_motion):
    make_motion(account)

    page = viewer_client.get("/motions/").content.decode()

    assert "Refresh" not in page
    assert "Delete" not in page
    assert 'type="checkbox"' not in page


def test_operators_see_refresh_select_and_delete(operator_client, account, make_motion):
    motion = make_motion(account)

    page = operator_client.get(f"/motions/?account={account.pk}").content.decode()

    assert 'action="/motions/refresh/"' in page
    assert f'name="account" value="{account.pk}"' in page
    assert f'name="motion" value="{motion.pk}" form="bulk-delete"' in page
    assert f'href="/motions/delete/?motion={motion.pk}&amp;next=' in page


def test_hostile_names_are_escaped_and_only_http_urls_are_rendered(
    viewer_client, account, make_motion
):
    make_motion(
        account,
        name='<script>alert("name")</script><img src=x onerror=alert(1)>',
        tag="<b>tag</b>",
        cover_url="javascript:alert(1)",
        video_url="data:video/mp4;base64,AAAA",
        bvh_url="javascript:alert(2)",
        binary_url="ftp://cdn.test/x.zip",
    )

    page = viewer_client.get("/motions/").content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "<b>tag</b>" not in page
    assert "javascript:" not in page
    assert "data:video" not in page
    assert "ftp://" not in page
    assert "no cover" in page
    assert "<video" not in page


def test_pages_of_cards_need_no_count(
    viewer_client, account, make_motion, synced, django_assert_max_num_queries
):
    synced(account)
    for _ in range(PAGE_SIZE + 3):
        make_motion(account)

    first = viewer_client.get("/motions/").content.decode()
    second = viewer_client.get("/motions/?page=2").content.decode()

    assert len(cards(first)) == PAGE_SIZE
    assert 'rel="next" href="?page=2"' in first
    assert len(cards(second)) == 3
    assert 'rel="prev" href="?page=1"' in second and 'rel="next"' not in second


def _page_queries(client, django_assert_max_num_queries, limit: int) -> None:
    with django_assert_max_num_queries(limit) as captured:
        response = client.get("/motions/")
    assert response.status_code == 200
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)


@pytest.mark.parametrize("how_many", [1, PAGE_SIZE + 5])
def test_the_library_page_costs_a_fixed_number_of_queries(
    operator_client, account, other_account, make_motion, synced, upload_task,
    django_assert_max_num_queries, how_many,
):  # fmt: skip
    from motionhub.library.models import MotionDeletion

    synced(account)
    synced(other_account)
    task = upload_task(account, task_id=1)
    for n in range(how_many):
        motion = make_motion(account if n % 2 else other_account, source_task=task)
        if n % 3 == 0:
            MotionDeletion.objects.create(
                account=motion.account, motion_ref=motion.pk, motion_key=motion.key,
                motion_name=motion.name, upstream_task_id=motion.task_id, state="failed",
                message="nope",
            )  # fmt: skip
    operator_client.get("/motions/")  # the session remembers the role

    # session, user, role, accounts (+ their sync rows), motions (+ tasks, people), deletions
    _page_queries(operator_client, django_assert_max_num_queries, 7)


def test_the_official_tab_costs_a_fixed_number_of_queries(
    viewer_client, account, make_motion, synced, django_assert_max_num_queries
):
    synced(account, official_synced_at=timezone.now())
    for n in range(60):
        make_motion(account, Origin.OFFICIAL, tag=f"tag{n % 4}")
    viewer_client.get("/motions/?tab=official")

    with django_assert_max_num_queries(6):
        response = viewer_client.get("/motions/?tab=official")
    assert len(cards(response.content.decode())) == PAGE_SIZE


def test_removed_accounts_are_not_listed(viewer_client, account, make_motion):
    make_motion(account, name="Gone with the account")
    KlingAccount.objects.filter(pk=account.pk).update(removed_at=timezone.now())

    page = viewer_client.get("/motions/").content.decode()

    assert "Gone with the account" not in page


def test_the_page_polls_while_a_refresh_is_under_way(viewer_client, account, synced):
    synced(account, finished_at=timezone.now() - timedelta(minutes=5), requested_at=timezone.now())

    page = viewer_client.get(f"/motions/?account={account.pk}").content.decode()

    assert "refreshing…" in page
    assert f'hx-get="/motions/status/?account={account.pk}' in page


def test_the_status_fragment_keeps_polling_then_reloads_the_page_when_done(
    viewer_client, account, synced, no_upstream
):
    earlier = timezone.now() - timedelta(minutes=5)
    sync = synced(account, finished_at=earlier, requested_at=timezone.now())
    viewer_client.get("/motions/")

    busy = viewer_client.get(f"/motions/status/?account={account.pk}", headers=HX)
    LibrarySync.objects.filter(pk=sync.pk).update(finished_at=timezone.now())
    done = viewer_client.get(f"/motions/status/?account={account.pk}", headers=HX)

    assert busy.status_code == 200 and "refreshing…" in busy.content.decode()
    assert "<html" not in busy.content.decode()
    assert done.headers["HX-Refresh"] == "true"
    assert len(no_upstream.calls) == 0


def test_own_motions_show_the_name_the_person_gave_them_first(
    viewer_client, account, make_motion, upload_task
):
    task = upload_task(account, task_id=7, name="Dance <b>warm-up</b>")
    make_motion(account, name="Custom motion 2025-10-07 12:00", source_task=task)

    page = viewer_client.get("/motions/?tab=mine").content.decode()

    name = page.index('class="motion-name" title="Dance &lt;b&gt;warm-up&lt;/b&gt;"')
    assert name < page.index("upstream: Custom motion 2025-10-07 12:00")
    assert "by bob · upstream:" in page
    assert "<b>warm-up</b>" not in page  # the person's text is escaped like upstream's
