"""The task page's timeline, which the polled fragment builds without a template loop."""

from __future__ import annotations

from datetime import UTC, datetime

from motionhub.tasks.models import MotionTask, State, TaskEvent

HX = {"HX-Request": "true"}


def test_the_timeline_shows_local_clock_times_states_and_escaped_details(
    viewer_client, settings, db
):
    settings.TIME_ZONE = "Asia/Kolkata"  # UTC+05:30
    task = MotionTask.objects.create(name="Wave", state=State.PROCESSING)
    at = datetime(2030, 5, 4, 12, 0, 5, tzinfo=UTC)
    TaskEvent.objects.create(
        task=task, at=at, to_state="queued", source="person", detail="Submitted by bob."
    )
    TaskEvent.objects.create(
        task=task,
        at=at,
        from_state="processing",
        to_state="processing",
        source="poll",
        detail='<img src=x onerror="alert(1)">',
    )

    for url in (f"/tasks/{task.pk}/", f"/tasks/{task.pk}/status/"):
        page = viewer_client.get(url, headers=HX).content.decode()
        timeline = page[page.index('<ol class="timeline">') :].split("</ol>")[0]

        assert timeline.count("<li>") == 2
        assert (
            '<li><time>17:30:05</time> <span class="badge queued">queued</span> '
            '<span class="muted">person</span> Submitted by bob.</li>'
        ) in timeline
        # No badge when the state did not change; upstream's text stays text.
        assert (
            '<li><time>17:30:05</time> <span class="muted">poll</span> '
            "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</li>"
        ) in timeline
        assert "<img" not in timeline
