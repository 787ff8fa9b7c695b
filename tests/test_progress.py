"""The batch progress bar's estimate of the time left: from the documents done, not from start-up (issue 18)."""
from __future__ import annotations

import io

import pytest

from agreement_engine import cli
from agreement_engine.progress import Estimate


class Clock:
    """A clock the test moves by hand: no sleeping, no real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_start_up_does_not_count_in_the_estimate():
    """The run of the report: 6 s start-up, then 200 documents at 2.5 ms (0.5 s): 6.5 s in all.

    An estimate from the start would have said about 200 × 6 s after the first document; this one says
    nothing until it has a pace, and then half a second at most.
    """
    clock = Clock()
    estimate = Estimate(200, clock=clock)
    clock.now = 6.0
    estimate.done()
    assert estimate.seconds_left() is None and estimate.text() == ""
    for _document in range(199):
        clock.now += 0.0025
        estimate.done()
        left = estimate.seconds_left()
        assert left is not None and left <= 0.5 + 1e-9
    assert estimate.seconds_left() == 0


@pytest.mark.parametrize("pace, after, seconds, shown", [(0.1, 11, 18.9, "nog ongeveer 19 s"),
                                                          (2.0, 51, 298.0, "nog ongeveer 5 min")])
def test_the_estimate_is_the_pace_times_the_documents_left(pace, after, seconds, shown):
    clock = Clock()
    estimate = Estimate(200, clock=clock)
    clock.now = 30.0  # a slow start-up: never part of the pace
    for document in range(after):
        clock.now = 30.0 + document * pace
        estimate.done()
    assert estimate.seconds_left() == pytest.approx(seconds)
    assert estimate.text() == shown


def test_the_bar_shows_the_estimate_from_the_documents_done():
    clock = Clock()
    bar, advance = cli._progress_bar(100, clock=clock)
    bar.file, bar._is_atty = io.StringIO(), True  # as on a terminal (click asks the file once, when made)
    with bar:
        clock.now = 6.0
        advance("a.json")
        first = bar.file.getvalue()
        for _document in range(9):
            clock.now += 0.5
            advance("b.json")
    assert "nog ongeveer" not in first  # no pace yet: no guess at all
    assert "nog ongeveer 45 s" in bar.file.getvalue()  # 90 documents left at 0.5 s
