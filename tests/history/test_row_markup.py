"""The history's rows are kept by what they show, so a kept row is never stale."""

from __future__ import annotations


def test_a_row_shown_before_shows_its_new_state_and_names(viewer_client, make_task, one):
    """Rows are kept by what they show: a change to the task or to a name is a new row."""
    from motionhub.accounts.models import KlingAccount
    from motionhub.tasks.models import MotionTask

    task = make_task(state="processing", account=one)
    before = viewer_client.get("/tasks/").content.decode()
    MotionTask.objects.filter(pk=task.pk).update(state="failed")
    KlingAccount.objects.filter(pk=task.account_id).update(label="Renamed <studio>")
    after = viewer_client.get("/tasks/").content.decode()

    row = lambda html: html.split(f'<tr id="task-{task.pk}">')[1].split("</tr>")[0]  # noqa: E731
    assert 'class="badge processing"' in row(before)
    assert 'class="badge failed"' in row(after)
    assert "Renamed &lt;studio&gt;" in row(after)
