"""Python's cyclic garbage collector paused for one piece of bulk work (an import, a run).

An import or a run allocates hundreds of thousands of container objects that live until the
work ends (the sealed records of an offence file and their events, a run's findings with their
evidence rows). Each time the allocations pass the collector's threshold, it looks for cycles,
and its full collections walk every object of the process, the libraries' too: ten full
collections in the import of a million offence records, about 8 % of its time; five in a run
writing 14,586 new leads, about 14 % (docs/benchmark.md). Reference counting frees everything
the work lets go of; the collector is only needed for cycles, which the work does not rely on
being freed before it ends, and it runs again as soon as the work is over.

The pause is process-wide (`gc.disable`). Work that starts inside a pause (nested, or beside
another thread's) leaves the collector as it found it: a pause only ever ends where it began,
so such work may go on with the collector back on (slower, never wrong).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The block runs with the cyclic collector off; it is on again afterwards, even after an
    error, unless it was already off before the block. Also a decorator (`@paused()`)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
