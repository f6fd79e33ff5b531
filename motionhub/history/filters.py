"""The task history's filters: what /tasks/ and /tasks/export.csv read from the query string.

Both read the same query string through `Filters.parse`, so the export is exactly what the page
shows, and any filtered view can be bookmarked and shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html_join

from motionhub.accounts.models import KlingAccount
from motionhub.archive.links import RESULT_FIELDS, result_annotations
from motionhub.archive.models import ArchiveState
from motionhub.core.days import start_of
from motionhub.core.prepared import Prepared
from motionhub.tasks import explain
from motionhub.tasks.models import STATE_GROUPS, Kind, MotionTask, State

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.db.models import QuerySet
    from django.utils.safestring import SafeString

PAGE_SIZE = 50

# The state filter offers the named groups of states (in progress, failures) before the states.
STATE_CHOICES = [
    *((name, group.label) for name, group in STATE_GROUPS.items()),
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
# After them, what a row links as its result (archive/links.py: RESULT_FIELDS), annotated.
# The filters in the order they appear in a canonical query string.
FILTER_NAMES = ("q", "account", "kind", "state", "error", "who", "from", "to", "archived")
ARCHIVED_CHOICES = [("yes", "Archived"), ("no", "Succeeded, not archived")]


# Querysets built once and cloned per request (as a class-based view's `queryset` is): resolving
# field names is a good part of what a small ORM query costs, and these run on every page.
# The two choice lists go further: built once per connection (core/prepared.py).
_ACCOUNT_CHOICES = Prepared(
    lambda: KlingAccount.objects.order_by("email").values_list("pk", "label", "email", "removed_at")
)
_PEOPLE = Prepared(
    lambda: get_user_model().objects.order_by("username").values_list("username", "pk")
)


def tasks() -> QuerySet:
    """Every task as page rows (ROW_FIELDS tuples), ready for `Filters.apply` and `paginate`."""
    return _TASK_ROWS.all()


_TASK_ROWS = MotionTask.objects.annotate(**result_annotations()).values_list(
    *ROW_FIELDS, *RESULT_FIELDS
)


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
        for pk, label, email, removed in _ACCOUNT_CHOICES.rows():
            accounts.append((pk, _account_name(label, email, removed is not None)))
            account_names[pk] = label or email
        people = dict(_PEOPLE.rows())
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
    archived: str = ""  # "yes": a kept copy; "no": succeeded, nothing (fully) kept
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
        if raw := _text(data, "archived"):
            if raw in dict(ARCHIVED_CHOICES):
                f.archived = raw
            else:
                f.errors["archived"] = "Choose archived or not."
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
            tasks = tasks.filter(state__in=STATE_GROUPS[self.state].states)
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
        if self.archived == "yes":
            tasks = tasks.filter(archive__state=ArchiveState.DONE)
        elif self.archived == "no":
            tasks = tasks.filter(state=State.SUCCEEDED).exclude(archive__state=ArchiveState.DONE)
        if self.q:
            match = Q(name__icontains=self.q)
            # Upstream ids are 64-bit integers: only a number that fits can be one.
            if self.q.isdigit() and int(self.q) < 2**63:
                match |= Q(upstream_task_id=int(self.q))
            tasks = tasks.filter(match)
        return tasks

    def query_key(self) -> tuple:
        """Everything `apply` reads, the time zone its dates are read in included: the page
        query compiled for one key serves every later load with the same key (views.py)."""
        zone = timezone.get_current_timezone_name() if self.date_from or self.date_to else ""
        return (self.q, self.account, self.kind, self.state, self.error, self._who_id,
                self.date_from, self.date_to, self.archived, zone)  # fmt: skip

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
            "archived": self.archived,
        }
        return {name: values[name] for name in FILTER_NAMES if values[name]}

    def query_string(self) -> str:
        return urlencode(self.as_dict())


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name) or ""
    return value.strip() if isinstance(value, str) else ""


def _account_name(label: str, email: str, removed: bool) -> str:
    name = f"{label} <{email}>" if label else email
    return f"{name} (removed)" if removed else name


@dataclass
class Control:
    """One field of the filter form, as the template shows it."""

    name: str
    label: str
    value: str = ""
    error: str = ""
    input_type: str = ""  # "search" or "date"; empty for a <select>
    empty: str = ""  # a select's first, empty option
    # A select's <option>s, built here: as a template loop, the five selects' options were
    # most of the page's rendering time (`make bench`, history_vs_bare).
    options: SafeString | str = ""


def controls(filters: Filters, choices: Choices) -> list[Control]:
    """The filter form's fields, each with its value or options and its error."""
    values = filters.as_dict()
    categories = ERROR_CHOICES
    if filters.error and filters.error not in dict(ERROR_CHOICES):
        # An old category no longer in explain.py: still selectable, so the form keeps it.
        categories = [*ERROR_CHOICES, (filters.error, explain.label(filters.error))]

    def select(name: str, label: str, empty: str, options, selected) -> Control:
        chosen = "" if selected is None else str(selected)
        return Control(
            name, label, error=filters.errors.get(name, ""), empty=empty,
            options=format_html_join(
                "", '<option value="{}"{}>{}</option>',
                ((value, " selected" if str(value) == chosen else "", text)
                 for value, text in options),
            ),
        )  # fmt: skip

    def text(name: str, label: str, input_type: str) -> Control:
        return Control(name, label, values.get(name, ""), filters.errors.get(name, ""), input_type)

    return [
        text("q", "Search", "search"),
        select("account", "Account", "Any account", choices.accounts, filters.account),
        select("kind", "Kind", "Any kind", KIND_CHOICES, filters.kind),
        select("state", "State", "Any state", STATE_CHOICES, filters.state),
        select("error", "Error", "With or without", categories, filters.error),
        select("who", "Submitted by", "Anyone", ((n, n) for n in choices.people), filters.who),
        text("from", "From", "date"),
        text("to", "To", "date"),
        select("archived", "Result kept", "Archived or not", ARCHIVED_CHOICES, filters.archived),
    ]
