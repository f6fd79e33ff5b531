"""A query built once and run again with other ids answers what the queryset answers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db.models import Count, Max

from motionhub.core.prepared import Prepared


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
