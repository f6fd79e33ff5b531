"""A query built once and run again with other ids answers what the queryset answers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db.models import Count, Max

from motionhub.core.prepared import Prepared, PreparedByKey


@pytest.mark.django_db
def test_rows_equal_the_querysets_with_converted_values(alice, bob, charlie):
    by_id = Prepared(
        lambda pk: User.objects.filter(pk=pk).values_list("id", "username", "date_joined")
    )
    for person in (alice, bob, charlie):
        assert by_id.rows(person.pk) == list(
            User.objects.filter(pk=person.pk).values_list("id", "username", "date_joined")
        )
        # Dates come back as aware datetimes, as the ORM gives them, not as stored text.
        assert by_id.rows(person.pk)[0][2] == person.date_joined
    assert by_id.rows(10**9) == []


@pytest.mark.django_db
def test_several_ids_and_aggregates(alice, bob, charlie):
    between = Prepared(
        lambda low, high: (
            User.objects.filter(pk__gte=low, pk__lte=high)
            .order_by()
            .values("is_active")
            .annotate(n=Count("id"), latest=Max("date_joined"))
            .values_list("n", "latest")
        )
    )
    low, high = sorted([alice.pk, charlie.pk])
    assert between.rows(low, high) == [(3, max(alice.date_joined, charlie.date_joined,
                                               bob.date_joined))]  # fmt: skip
    assert between.rows(high, high) == [(1, User.objects.get(pk=high).date_joined)]


@pytest.mark.django_db
def test_an_id_that_is_not_a_parameter_is_refused():
    fixed = Prepared(lambda pk: User.objects.filter(username="x").values_list("id"))
    with pytest.raises(ValueError, match="exactly once"):
        fixed.rows(1)


@pytest.mark.django_db
def test_a_query_kept_by_key_answers_the_tables_rows_at_each_run(alice, bob, charlie):
    kept = PreparedByKey()
    named = User.objects.order_by("username").values_list("id", "username", "date_joined")

    def active(flag: bool) -> list[tuple]:
        return kept.rows(("active", flag), named.filter(is_active=flag))

    assert active(True) == list(named.filter(is_active=True)) and len(active(True)) == 3
    assert active(False) == []
    User.objects.filter(pk=bob.pk).update(is_active=False)
    # Compiled once per key, run again: the rows are those of now, each key its own.
    assert active(True) == list(named.filter(is_active=True)) and len(active(True)) == 2
    assert active(False) == [(bob.pk, "bob", bob.date_joined)]


@pytest.mark.django_db
def test_a_kept_query_that_can_match_nothing_answers_no_row(alice):
    assert PreparedByKey().rows("none", User.objects.filter(pk__in=[]).values_list("id")) == []


@pytest.mark.django_db
def test_past_its_size_it_compiles_again_and_still_answers_right(alice, bob):
    kept = PreparedByKey(size=2)
    by_name = User.objects.values_list("username", flat=False)
    for name in ("alice", "bob", "alice", "nobody"):
        assert kept.rows(name, by_name.filter(username=name)) == (
            [(name,)] if name != "nobody" else []
        )
