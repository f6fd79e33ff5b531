"""/tasks/: every local task, newest first, filtered from the query string; and its CSV export."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from motionhub.core.addresses import fixed
from motionhub.core.kept import Kept
from motionhub.core.prepared import PreparedByKey
from motionhub.core.roles import viewer_required
from motionhub.history import bulk
from motionhub.history import export as csv_export
from motionhub.history import filters as history
from motionhub.history.keyset import Keyset
from motionhub.history.rows import rows_html

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

_CURSORS = ("before", "after")
# Page queries compiled once per set of filters and cursor: most loads are of a page loaded
# before (the first page, a bookmarked view), and compiling its query (the filters, the result
# annotations) was a quarter of the page's time (`make bench`, history_vs_bare).
_PAGE_QUERIES = PreparedByKey(size=512)
# Page rows are ROW_FIELDS tuples, which start with (created_at, id).
PAGES = Keyset("created_at", key=lambda row: (row[0], row[1]))
# Rows per chunk handed to the server: big enough that per-chunk overhead vanishes, small
# enough that a chunk is a few hundred kilobytes at most.
_CSV_ROWS_PER_CHUNK = 1000


def _filters(request: HttpRequest) -> tuple[history.Filters, history.Choices]:
    choices = history.Choices.load()
    return history.Filters.parse(request.GET, choices), choices


@viewer_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    filters, choices = _filters(request)
    query_key = filters.query_key()
    page = PAGES.paginate(
        filters.apply(history.tasks()),
        before=request.GET.get("before"),
        after=request.GET.get("after"),
        size=history.PAGE_SIZE,
        fetch=lambda page_key, rows: _PAGE_QUERIES.rows((query_key, page_key), rows),
    )
    prefix, export = fixed("tasks:history"), fixed("tasks:export")
    query = filters.query_string()
    context = {
        "filter_fields": filter_fields(filters, choices),
        "active": bool(query),
        "rows": rows_html(page.rows, choices, prefix=prefix),
        "page": page,
        "prefix": prefix,
        "query": query,
        "paged": any(request.GET.get(name) for name in _CURSORS),
        "export_url": f"{export}?{query}" if query else export,
        "bulk": bulk.links(query),
    }
    # A history restore (back button after an htmx page change) needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "history/tasks.html#results" if partial else "history/tasks.html"
    return render(request, template, context)


# Rendered filter fields by everything they show: most loads of /tasks/ show the same few.
_FILTER_FIELDS = Kept(256)


def filter_fields(filters: history.Filters, choices: history.Choices) -> str:
    """The filter form's fields, rendered once for each combination of values, errors and
    choices, then reused: their five selects were about a tenth of the page (`make bench`,
    history_vs_bare). The key holds all that `history.controls` reads."""
    key = (
        tuple(filters.as_dict().items()),
        tuple(sorted(filters.errors.items())),
        tuple(choices.accounts),
        tuple(choices.people),
    )
    markup = _FILTER_FIELDS.get(key)
    if markup is None:
        context = {"controls": history.controls(filters, choices)}
        markup = _FILTER_FIELDS.keep(key, render_to_string("history/filter_fields.html", context))
    return markup


class _Buffer(io.StringIO):
    """A csv writer target that hands back what was written since the last call."""

    def take(self) -> str:
        text = self.getvalue()
        self.seek(0)
        self.truncate()
        return text


def _csv_chunks(rows: Iterable[tuple]) -> Iterator[str]:
    buffer = _Buffer()
    writer = csv.writer(buffer)
    writer.writerow(csv_export.CSV_HEADER)
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _CSV_ROWS_PER_CHUNK:
            writer.writerows(batch)
            batch.clear()
            yield buffer.take()
    writer.writerows(batch)
    yield buffer.take()


@viewer_required
@require_GET
def export(request: HttpRequest) -> StreamingHttpResponse:
    """Exactly the filtered set of the page with the same query string, as CSV, streamed.

    Rows are read from the database in chunks and written out as they come, so memory stays
    flat whatever the number of tasks. Cursors are ignored: the export is every matching row.
    """
    filters, _choices = _filters(request)
    rows = csv_export.export_rows(filters.apply(csv_export.csv_rows()))
    response = StreamingHttpResponse(_csv_chunks(rows), content_type="text/csv; charset=utf-8")
    filename = f"motionhub-tasks-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
