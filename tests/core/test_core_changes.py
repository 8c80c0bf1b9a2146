"""limner.Changes: what a plugin's translation records as it goes."""

from __future__ import annotations

from limner import Changes


def test_split_seed_gives_each_call_its_own_seed_within_the_range() -> None:
    changes = Changes()
    assert changes.split_seed(7, 0, low=0, high=9) == 7  # the first call keeps it, unreported
    assert changes.split_seed(7, 2, low=0, high=9) == 9
    assert changes.split_seed(9, 1, low=0, high=9) == 0  # wrapped
    assert changes.split_seed(9, 1, low=1, high=9) == 1  # wrapped past a range starting at 1
    assert [(a.requested, a.applied) for a in changes.adjustments] == [(7, 9), (9, 0), (9, 1)]
    assert "call 3 sends seed 9" in changes.adjustments[0].reason


def test_split_seed_without_a_seed() -> None:
    changes = Changes()
    assert changes.split_seed(None, 3, low=0, high=100) is None  # random anyway: nothing to do
    assert changes.split_seed(None, 3, low=0, high=100, default=12) == 15  # a fixed default
    assert [(a.requested, a.applied) for a in changes.adjustments] == [(None, 15)]
