"""Shared pieces of the reliability tests: Hypothesis settings, a hard time bound per call, catalog models."""

import contextlib
import functools
import signal
import time

from hypothesis import HealthCheck, settings

from calculators.catalogs import models

#: Every call into the calculators must answer within this many seconds (enforced with a timer signal, so a
#: hang fails the test instead of stalling CI).
CALL_SECONDS = 2.0

#: Reproducible in CI: the same examples on every run, nothing written to a ``.hypothesis`` database.
PROPERTY = settings(max_examples=60, deadline=None, derandomize=True, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ = settings(PROPERTY, max_examples=100)
FEW = settings(PROPERTY, max_examples=25)
#: Per widget: the registry grows, so the examples per widget are fewer than for a single entry point.
WIDGET_FUZZ = settings(PROPERTY, max_examples=30)


class Overran(Exception):
    """A call took longer than its bound (not a subclass of anything the calculators catch)."""


@contextlib.contextmanager
def time_bound(seconds: float = CALL_SECONDS, what: str = "call"):
    """Fail when the body runs longer than ``seconds``: interrupt it with SIGALRM, and check the clock too."""
    def _alarm(signum, frame):
        raise Overran(f"{what} ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.perf_counter()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.perf_counter() - start
    assert elapsed < seconds, f"{what} took {elapsed:.2f} s (bound {seconds} s)"


MODEL_IDS = tuple(models.all_models())


@functools.cache
def arch(model_id: str):
    """The catalog model's architecture, built once per test session."""
    return models.resolve(model_id)[1]
