"""Who may use a shared server: an allow-list of e-mail addresses for the OIDC login, and a
per-address back-off for the shared password. Plain functions and a small class, so the rules
are tested without a browser; :mod:`ui.access` applies them.
"""

from __future__ import annotations

import threading
import time

FIRST_WAIT_S = 1.0     # after the first wrong password from an address …
MAX_WAIT_S = 300.0     # … each further one doubles the wait, up to five minutes
FORGET_AFTER_S = 3600  # an address that has not failed for an hour starts afresh


def allowed(email, allow_list) -> bool:
    """Whether a signed-in account may use the app: every account when ``allow_list`` is empty;
    else its e-mail address must be listed (``"alice@example.com"``) or end with a listed domain
    (``"@example.com"``). Compared without regard to case; an account without an e-mail address
    is refused.

    Examples
    --------
    >>> allowed("Alice@Example.com", ["@example.com"]), allowed("eve@evil.com", ["@example.com", "bob@x.org"])
    (True, False)
    >>> allowed(None, []), allowed(None, ["@example.com"])
    (True, False)
    """
    entries = [str(entry).strip().lower() for entry in (allow_list or []) if str(entry).strip()]
    if not entries:
        return True
    if not email or "@" not in str(email):
        return False
    email = str(email).strip().lower()
    return any(email == entry or (entry.startswith("@") and email.endswith(entry)) for entry in entries)


class Backoff:
    """Wrong passwords, per address: after ``n`` failures an address waits ``2**(n-1)`` seconds
    (1, 2, 4 … at most 300) before its next try is even checked, however many sessions it opens.

    Examples
    --------
    >>> gate = Backoff(clock=lambda: 100.0)
    >>> gate.wait("10.0.0.1"), gate.failed("10.0.0.1"), gate.failed("10.0.0.1"), gate.wait("10.0.0.1")
    (0.0, 1.0, 2.0, 2.0)
    >>> gate.succeeded("10.0.0.1"); gate.wait("10.0.0.1")
    0.0
    """

    def __init__(self, clock=None):
        self._clock = clock or (lambda: time.monotonic())
        self._failures: dict[str, tuple[int, float]] = {}   # address -> (failures, time of the last)
        self._lock = threading.Lock()

    def _delay(self, failures: int) -> float:
        return min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** (failures - 1)) if failures else 0.0

    def wait(self, address: str) -> float:
        """Seconds ``address`` must still wait before a password it sends is checked."""
        with self._lock:
            failures, last = self._failures.get(address, (0, 0.0))
            now = self._clock()
            if failures and now - last > FORGET_AFTER_S:
                del self._failures[address]
                return 0.0
            return max(0.0, last + self._delay(failures) - now)

    def failed(self, address: str) -> float:
        """Record a wrong password from ``address``; returns the wait it now has."""
        with self._lock:
            failures = self._failures.get(address, (0, 0.0))[0] + 1
            self._failures[address] = (failures, self._clock())
            if len(self._failures) > 100_000:   # a flood of addresses: keep the newest
                for old in sorted(self._failures, key=lambda key: self._failures[key][1])[:50_000]:
                    del self._failures[old]
            return self._delay(failures)

    def succeeded(self, address: str) -> None:
        """The right password from ``address``: its count starts again."""
        with self._lock:
            self._failures.pop(address, None)
