"""The time a batch still needs, estimated from the documents done so far, not from the start-up."""
from __future__ import annotations

import time
from collections.abc import Callable

from agreement_engine.i18n import _


class Estimate:
    """Estimate the time left of ``total`` items from the pace between the first finished item and the last.

    Start-up (starting processes, loading the library and the template) comes before the first item is
    done and says nothing about the pace after it, so it is left out: until a second item is done there
    is no estimate at all. ``clock`` returns seconds (``time.monotonic``; a test passes its own).

    >>> times = iter([6.0, 6.1, 6.2, 6.3])
    >>> estimate = Estimate(10, clock=lambda: next(times))
    >>> estimate.done(); estimate.seconds_left() is None  # the first document after 6 s of start-up
    True
    >>> estimate.done(); estimate.done(); round(estimate.seconds_left(), 2)  # 0.1 s a document, 7 to go
    0.7
    """

    def __init__(self, total: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self._clock = clock
        self._count = 0
        self._first: float | None = None
        self._last: float | None = None

    def done(self, count: int = 1) -> None:
        """Note that ``count`` more items are finished, now."""
        now = self._clock()
        if self._first is None:
            self._first = now
            count -= 1  # the first item ends the start-up; the pace is measured from here
        self._count += count
        self._last = now

    def seconds_left(self) -> float | None:
        """Return the estimated seconds until the last item is done, or None while there is no pace yet."""
        if self._count < 1 or self._first is None or self._last is None:
            return None
        finished = self._count + 1
        pace = (self._last - self._first) / self._count
        return max(self.total - finished, 0) * pace

    def text(self) -> str:
        """Return the estimate as shown after the bar ("nog ongeveer 12 s", "nog ongeveer 3 min"), or ""."""
        left = self.seconds_left()
        if left is None:
            return ""
        if left < 90:
            return _("nog ongeveer {seconds} s").format(seconds=max(1, round(left)))
        return _("nog ongeveer {minutes} min").format(minutes=round(left / 60))
