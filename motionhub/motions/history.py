"""The task history's filters, its keyset pages, and the rows it shows and exports.

/tasks/ and /tasks/export.csv read the same query string through `Filters.parse`, so the export
is exactly what the page shows, and any filtered view can be bookmarked and shared.

Pages are keyset pages over (created_at, id), newest first: a page 1 000 deep costs what the
first one costs (an index range scan from the cursor), and nothing ever counts the whole table.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from motionhub.accounts.models import KlingAccount
from motionhub.audit.keyset import parse_cursor
from motionhub.motions import explain
from motionhub.motions.models import IN_FLIGHT, SETTLED, Kind, MotionTask, State

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from django.db.models import QuerySet

PAGE_SIZE = 50

# Pseudo-states of the state filter: every state that is not settled yet, and every failure.
IN_PROGRESS = "in_progress"
IN_PROGRESS_STATES = (State.QUEUED, *IN_FLIGHT)
FAILURES = "failures"
FAILURE_STATES = (State.FAILED, State.REJECTED, State.NEEDS_ATTENTION)
STATE_GROUPS = {IN_PROGRESS: IN_PROGRESS_STATES, FAILURES: FAILURE_STATES}
STATE_CHOICES = [
    (IN_PROGRESS, "In progress (any)"),
    (FAILURES, "Failed, rejected or stuck"),
    *State.choices,
]
KIND_CHOICES = Kind.choices
# The error filter: "any" means "has an error"; categories are stable keys (explain.py), and an
# unknown one found in old rows is still accepted so its badge link keeps working.
ANY_ERROR = "any"
_CATEGORY = re.compile(r"^[a-z0-9_]{1,40}$")
ERROR_CHOICES = [
    (ANY_ERROR, "Any error"),
    *((c, explain.label(c)) for c in sorted(explain.CATEGORIES)),
]

STATE_LABELS = dict(State.choices)
KIND_LABELS = dict(Kind.choices)
_SETTLED = frozenset(SETTLED)

# The columns a page row needs, as tuples of the task's own columns: account and person names
# come from the filter controls' choices, loaded anyway, so the query joins nothing. created_at
# and id come first: the keyset pages read them by position.
ROW_FIELDS = (
    "created_at",
    "id",
    "kind",
    "name",
    "state",
    "error_category",
    "finished_at",
    "account_id",
    "submitted_by_id",
)
# The filters in the order they appear in a canonical query string.
FILTER_NAMES = ("q", "account", "kind", "state", "error", "who", "from", "to")


# Querysets built once and cloned per request (as a class-based view's `queryset` is): resolving
# field names is a good part of what a small ORM query costs, and these run on every page.
_ACCOUNT_CHOICES = KlingAccount.objects.order_by("email").values_list(
    "pk", "label", "email", "removed_at"
)
_PEOPLE = get_user_model().objects.order_by("username").values_list("username", "pk")


def tasks() -> QuerySet:
    """Every task as page rows (ROW_FIELDS tuples), ready for `Filters.apply` and `paginate`."""
    return _TASK_ROWS.all()


_TASK_ROWS = MotionTask.objects.values_list(*ROW_FIELDS)


@dataclass
class Choices:
    """What the filter controls offer, what a submitted value is checked against, and the
    names a page row shows.
    """

    accounts: list[tuple[int, str]]  # (id, name), removed accounts included: their history stays
    people: dict[str, int]  # username → id
    account_names: dict[int, str]  # id → label or email, as a row shows it
    usernames: dict[int, str]  # id → username

    @classmethod
    def load(cls) -> Choices:
        """Two small queries, whatever the number of tasks."""
        accounts, account_names = [], {}
        for pk, label, email, removed in _ACCOUNT_CHOICES.all():
            accounts.append((pk, _account_name(label, email, removed is not None)))
            account_names[pk] = label or email
        people = dict(_PEOPLE.all())
        return cls(
            accounts=accounts,
            people=people,
            account_names=account_names,
            usernames={pk: name for name, pk in people.items()},
        )


@dataclass
class Filters:
    """The cleaned filters of one request; invalid values are reported and left out."""

    q: str = ""
    account: int | None = None
    kind: str = ""
    state: str = ""
    error: str = ""
    who: str = ""
    date_from: date | None = None
    date_to: date | None = None
    errors: dict[str, str] = field(default_factory=dict)
    _who_id: int | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any], choices: Choices) -> Filters:
        f = cls()
        f.q = _text(data, "q")[:200]
        if raw := _text(data, "account"):
            try:
                f.account = int(raw)
            except ValueError:
                f.account = None
            if f.account not in {pk for pk, _ in choices.accounts}:
                f.account = None
                f.errors["account"] = "No such account."
        if raw := _text(data, "kind"):
            if raw in KIND_LABELS:
                f.kind = raw
            else:
                f.errors["kind"] = "No such kind."
        if raw := _text(data, "state"):
            if raw in STATE_LABELS or raw in STATE_GROUPS:
                f.state = raw
            else:
                f.errors["state"] = "No such state."
        if raw := _text(data, "error"):
            if _CATEGORY.match(raw):
                f.error = raw
            else:
                f.errors["error"] = "No such error category."
        if raw := _text(data, "who"):
            if raw in choices.people:
                f.who, f._who_id = raw, choices.people[raw]
            else:
                f.errors["who"] = "No such person."
        f.date_from = f._date(data, "from")
        f.date_to = f._date(data, "to")
        if f.date_from and f.date_to and f.date_from > f.date_to:
            f.errors["to"] = "This date is before the “from” date."
            f.date_to = None
        return f

    def _date(self, data: Mapping[str, Any], name: str) -> date | None:
        if raw := _text(data, name):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                self.errors[name] = "Use a date like 2025-01-31."
        return None

    def apply(self, tasks: QuerySet) -> QuerySet:
        # Each equality filter has a (column, created_at, id) index, so a page of any of them
        # is an index range scan in (created_at, id) order, without a sort.
        if self.account is not None:
            tasks = tasks.filter(account_id=self.account)
        if self.kind:
            tasks = tasks.filter(kind=self.kind)
        if self.state in STATE_GROUPS:
            tasks = tasks.filter(state__in=STATE_GROUPS[self.state])
        elif self.state:
            tasks = tasks.filter(state=self.state)
        if self.error == ANY_ERROR:
            tasks = tasks.exclude(error_category="")
        elif self.error:
            tasks = tasks.filter(error_category=self.error)
        if self._who_id is not None:
            tasks = tasks.filter(submitted_by_id=self._who_id)
        # Dates are whole days in the site's time zone, both ends included.
        if self.date_from:
            tasks = tasks.filter(created_at__gte=start_of(self.date_from))
        if self.date_to:
            tasks = tasks.filter(created_at__lt=start_of(self.date_to + timedelta(days=1)))
        if self.q:
            match = Q(name__icontains=self.q)
            # Upstream ids are 64-bit integers: only a number that fits can be one.
            if self.q.isdigit() and int(self.q) < 2**63:
                match |= Q(upstream_task_id=int(self.q))
            tasks = tasks.filter(match)
        return tasks

    def as_dict(self) -> dict[str, str]:
        """The valid filters as query-string values, in a stable order."""
        values = {
            "q": self.q,
            "account": "" if self.account is None else str(self.account),
            "kind": self.kind,
            "state": self.state,
            "error": self.error,
            "who": self.who,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {name: values[name] for name in FILTER_NAMES if values[name]}

    def query_string(self) -> str:
        return urlencode(self.as_dict())


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name) or ""
    return value.strip() if isinstance(value, str) else ""


def start_of(day: date) -> datetime:
    """Midnight at the start of `day` in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _account_name(label: str, email: str, removed: bool) -> str:
    name = f"{label} <{email}>" if label else email
    return f"{name} (removed)" if removed else name


# --- keyset pages ------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def cursor(created_at: datetime, pk: int) -> str:
    """The same format as the audit log's cursors (parsed by `audit.keyset.parse_cursor`)."""
    return f"{(created_at - _EPOCH) // _MICROSECOND}_{pk}"


def _older_than(at: datetime, pk: int) -> Q:
    # The leading `created_at <= …` bounds the index range scan; the OR alone would not.
    return Q(created_at__lte=at) & (Q(created_at__lt=at) | Q(pk__lt=pk))


def _newer_than(at: datetime, pk: int) -> Q:
    return Q(created_at__gte=at) & (Q(created_at__gt=at) | Q(pk__gt=pk))


@dataclass
class Page:
    rows: list[tuple]
    older: str | None  # cursor of the next page back in time, when there is one
    newer: str | None  # cursor of the page before this one, when there is one


def paginate(
    rows: QuerySet, *, before: str | None = None, after: str | None = None, size: int = PAGE_SIZE
) -> Page:
    """One page of `rows` (a values_list queryset starting with created_at, id), newest first.

    One query per page, whatever the depth: no OFFSET, no COUNT. A page reached through a
    cursor always has a page on the side it came from, since the cursor names a task shown
    there (tasks are never deleted); only the far side needs the extra row fetched here.
    """
    if after_key := parse_cursor(after):
        newer = rows.filter(_newer_than(*after_key)).order_by("created_at", "id")
        found = list(newer[: size + 1])
        if found:
            has_newer = len(found) > size
            return _page(found[:size][::-1], has_older=True, has_newer=has_newer)
        # Nothing newer than the cursor: show the newest page.
    elif before_key := parse_cursor(before):
        older = rows.filter(_older_than(*before_key)).order_by("-created_at", "-id")
        found = list(older[: size + 1])
        return _page(found[:size], has_older=len(found) > size, has_newer=True)
    found = list(rows.order_by("-created_at", "-id")[: size + 1])
    return _page(found[:size], has_older=len(found) > size, has_newer=False)


def _page(rows: list[tuple], *, has_older: bool, has_newer: bool) -> Page:
    return Page(
        rows=rows,
        older=cursor(*rows[-1][:2]) if has_older and rows else None,
        newer=cursor(*rows[0][:2]) if has_newer and rows else None,
    )


# --- what a row shows --------------------------------------------------------------------------


def duration(created_at: datetime, finished_at: datetime | None, state: str) -> str:
    if finished_at is None:
        return "—" if state in _SETTLED else "running"
    seconds = max(int((finished_at - created_at).total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} m {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} m"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


# One table row per task. Rows are formatted here rather than by the template language: a
# page has 50 rows of eight cells, and Django templates cost a few microseconds per variable,
# which would make the rows most of the page's time. Everything that comes from people or
# from upstream is HTML-escaped (`_e`, quotes included); the badges of known kinds, states
# and error categories are built once.
_e = html.escape
_KIND_HTML = {value: _e(label) for value, label in Kind.choices}
_STATE_HTML = {
    value: f'<span class="badge {value}">{_e(label)}</span>' for value, label in State.choices
}
_CATEGORY_HTML = {
    category: f' <span class="badge category">{_e(explain.label(category))}</span>'
    for category in explain.CATEGORIES
}


def _state_badge(state: str) -> str:
    return _STATE_HTML.get(state) or f'<span class="badge">{_e(state)}</span>'


def _category_badge(category: str) -> str:
    if not category:
        return ""
    return _CATEGORY_HTML.get(category) or (
        f' <span class="badge category">{_e(explain.label(category))}</span>'
    )


def rows_html(rows: Iterable[tuple], choices: Choices, *, prefix: str) -> SafeString:
    """The <tr> elements of a page of ROW_FIELDS tuples. `prefix` is the address of /tasks/,
    computed once per request: links are built by string formatting, not a reverse() per row.
    """
    tz = timezone.get_current_timezone()
    accounts = {
        pk: f'<a href="{prefix}?account={pk}">{_e(name)}</a>'
        for pk, name in choices.account_names.items()
    }
    people = {pk: _e(name) for pk, name in choices.usernames.items()}
    out = []
    for created, pk, kind, name, state, category, finished, account_id, who_id in rows:
        if account_id is None:
            account = '<span class="muted">automatic</span>'
        else:
            account = accounts.get(account_id) or f"#{account_id}"
        out.append(
            f'<tr id="task-{pk}"><td>{_KIND_HTML.get(kind) or _e(kind)}</td>'
            f'<td><a href="{prefix}{pk}/">{_e(name)}</a></td><td>{account}</td>'
            f"<td>{people.get(who_id, '—')}</td>"
            f"<td>{_state_badge(state)}{_category_badge(category)}</td>"
            f'<td class="nowrap">{_local(created, tz)}</td>'
            f'<td class="nowrap">{_local(finished, tz) if finished else "—"}</td>'
            f'<td class="nowrap">{duration(created, finished, state)}</td></tr>\n'
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or ours


def _local(moment: datetime, tz) -> str:
    # isoformat is several times cheaper than strftime, and this runs 100 times a page.
    return moment.astimezone(tz).isoformat(" ", "seconds")[:19]


def options_html(choices: Iterable[tuple[object, str]], selected: object) -> str:
    """<option> elements for a filter <select>, the selected one marked (see rows_html)."""
    selected = "" if selected is None else str(selected)
    return "".join(
        f'<option value="{_e(str(value))}"{" selected" if str(value) == selected else ""}>'
        f"{_e(label)}</option>"
        for value, label in choices
    )


def controls_html(filters: Filters, choices: Choices) -> SafeString:
    """The filter form's fields, each with its label and its error. Built here for the same
    reason as the rows: some forty template variables would cost more than the page's query.
    """
    values = filters.as_dict()
    categories = ERROR_CHOICES
    if filters.error and filters.error not in dict(ERROR_CHOICES):
        # An old category no longer in explain.py: still selectable, so the form keeps it.
        categories = [*ERROR_CHOICES, (filters.error, explain.label(filters.error))]

    def select(name: str, empty: str, options: Iterable[tuple[object, str]], selected) -> str:
        return (
            f'<select id="f-{name}" name="{name}"><option value="">{empty}</option>'
            f"{options_html(options, selected)}</select>"
        )

    def text(name: str, kind: str, extra: str = "") -> str:
        value = _e(values.get(name, ""))
        return f'<input type="{kind}" id="f-{name}" name="{name}" value="{value}"{extra}>'

    fields = (
        ("q", "Search", text("q", "search",
                             ' placeholder="Name or upstream task id" maxlength="200"')),
        ("account", "Account", select("account", "Any account", choices.accounts,
                                      filters.account)),
        ("kind", "Kind", select("kind", "Any kind", KIND_CHOICES, filters.kind)),
        ("state", "State", select("state", "Any state", STATE_CHOICES, filters.state)),
        ("error", "Error", select("error", "With or without", categories, filters.error)),
        ("who", "Submitted by", select("who", "Anyone", ((n, n) for n in choices.people),
                                       filters.who)),
        ("from", "From", text("from", "date")),
        ("to", "To", text("to", "date")),
    )  # fmt: skip
    out = []
    for name, label, control in fields:
        error = filters.errors.get(name, "")
        out.append(
            f'<div class="field{" has-error" if error else ""}">'
            f'<label for="f-{name}">{label}</label>{control}'
            + (f'<div class="errorlist">{_e(error)}</div>' if error else "")
            + "</div>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - values, labels and errors are escaped


# --- CSV ---------------------------------------------------------------------------------------

CSV_HEADER = (
    "id",
    "kind",
    "name",
    "account",
    "account_email",
    "submitted_by",
    "state",
    "error_category",
    "error_message",
    "upstream_task_id",
    "upstream_status",
    "created_at_utc",
    "finished_at_utc",
    "duration_s",
)
# Times are read as text in UTC ("YYYY-MM-DD HH:MM:SS…", which both SQLite and PostgreSQL give
# for a cast): turning 200 000 values into datetimes and back to text would be most of the
# export's time. A spreadsheet reads that format as a date and time.
_CSV_ROWS = MotionTask.objects.values_list(
    "id",
    "kind",
    "name",
    "account__label",
    "account__email",
    "submitted_by__username",
    "state",
    "error_category",
    "error_message",
    "upstream_task_id",
    "upstream_status",
    Cast("created_at", output_field=CharField()),
    Cast("finished_at", output_field=CharField()),
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); a
# leading single quote makes it show the cell as text instead.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_rows() -> QuerySet:
    """Every task as export rows, ready for `Filters.apply` and `export_rows`."""
    return _CSV_ROWS.all()


def export_rows(rows: QuerySet) -> Iterator[tuple]:
    """Every row of `rows` (from `csv_rows`, filtered), newest first, as CSV_HEADER tuples.

    Rows are read from the database in chunks, so memory stays flat whatever their number.
    Every cell of people's or upstream's text that could run as a formula gets its quote; the
    loop runs once per task, so the check is written inline rather than as a call per cell.
    """
    risky = _FORMULA_STARTS
    parse = datetime.fromisoformat
    for (pk, kind, name, label, email, who, state, category, message, upstream_id,
         upstream_status, created, finished) in rows.order_by("-created_at", "-id").iterator(
        chunk_size=2000
    ):  # fmt: skip
        created = created[:19]
        seconds = ""
        if finished:
            finished = finished[:19]
            seconds = int((parse(finished) - parse(created)).total_seconds())
        account = label or email or ""
        email = email or ""
        who = who or ""
        yield (
            pk,
            kind,
            "'" + name if name.startswith(risky) else name,
            "'" + account if account.startswith(risky) else account,
            "'" + email if email.startswith(risky) else email,
            "'" + who if who.startswith(risky) else who,
            state,
            "'" + category if category.startswith(risky) else category,
            "'" + message if message.startswith(risky) else message,
            "" if upstream_id is None else upstream_id,
            "'" + upstream_status if upstream_status.startswith(risky) else upstream_status,
            created,
            finished or "",
            seconds,
        )
