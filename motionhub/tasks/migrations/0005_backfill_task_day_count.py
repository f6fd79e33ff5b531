"""Count the tasks that exist before the upgrade into TaskDayCount, so the home page shows the
same figures afterwards.

Self-contained, as a data migration must be: it freezes today's rule (tasks/rollup.py) rather
than importing code that may change or move. Tasks created or changed by workers of the old
version while this runs are not counted: stop the workers for the upgrade, or run
`manage.py motionhub_rollup` once the new version is up.
"""

from datetime import datetime, time, timedelta

from django.db import migrations
from django.db.models import Count, Max, Min
from django.utils import timezone

LIVE = {"queued", "uploading", "submitting", "submitted", "processing"}


def backfill(apps, schema_editor):
    MotionTask = apps.get_model("motions", "MotionTask")
    TaskDayCount = apps.get_model("motions", "TaskDayCount")
    alias = schema_editor.connection.alias
    zone = timezone.get_default_timezone()
    tasks = MotionTask.objects.using(alias)
    span = tasks.aggregate(first=Min("created_at"), last=Max("created_at"))
    if span["first"] is None:
        return
    day = timezone.localtime(span["first"], zone).date()
    last = timezone.localtime(span["last"], zone).date()
    start = timezone.make_aware(datetime.combine(day, time.min), zone)
    made = []
    while day <= last:
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), zone)
        counts = {}
        rows = (
            tasks.filter(created_at__gte=start, created_at__lt=end)
            .values_list("state")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for state, n in rows:
            outcome = "in_progress" if state in LIVE else state
            counts[outcome] = counts.get(outcome, 0) + n
        if counts:
            made.append(TaskDayCount(day=day, **counts))
        day, start = day + timedelta(days=1), end
    TaskDayCount.objects.using(alias).bulk_create(made, batch_size=500)


def forget(apps, schema_editor):
    apps.get_model("motions", "TaskDayCount").objects.using(schema_editor.connection.alias).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("motions", "0004_task_day_count"),
    ]

    operations = [
        migrations.RunPython(backfill, forget),
    ]
