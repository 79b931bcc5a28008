"""A second process of `shujian demo`, on the machine's other core.

It is a new interpreter (`spawn`), never a fork: this process has polars' and DuckDB's threads
running by then, and a forked copy would inherit their locks but not the threads that hold them
(a forked child that runs polars can wait forever). Started when the demo starts building, it
loads the libraries on the other core while the county is generated, checks the shipped models
while the county is imported (`keep_into`), then evaluates a
share of the run's models while this process evaluates the others (`evaluate`, called by
`runner.run_models` one model at a time: each process takes as many as its speed allows): the
evaluation of the demo's 24 small models is Python and DuckDB's fixed costs, which two
processes share. It writes nothing: the run writes every lead here, in one
transaction, as it would have.

Anything that goes wrong in the second process only means this process does that work itself.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from shujian import gcpause
from shujian.data.datasets import Dataset
from shujian.models.check_cache import CheckCache, key, verdict
from shujian.models.spec import ModelSpec

if TYPE_CHECKING:
    from shujian.models.runner import ModelOutcome
    from shujian.workspace import Workspace

log = logging.getLogger(__name__)

GRACE = 30.0
"""Seconds the run waits for a model evaluated beside beyond the time a model may take."""


class SecondProcess:
    """`specs` checked in the second process from now on; later, a share of a run evaluated
    there (`runner.run_models(beside=…)`)."""

    def __init__(
        self, specs: list[ModelSpec], datasets: Mapping[str, Dataset], grace: float = GRACE
    ) -> None:
        self.grace = grace
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_yield_to_the_first,
        )
        self._checked = self._pool.submit(_passed, specs, datasets)

    def keep_into(self, cache: CheckCache, timeout: float = 60.0) -> int:
        """Keep the passed checks received (waiting up to `timeout` seconds); how many."""
        try:
            passed = self._checked.result(timeout)
        except Exception as error:  # no answer in time, or the second process failed
            log.info("models checked ahead: no answer (%s)", error)
            self.close()
            return 0
        for name, deciding in passed:
            cache.keep(name, deciding)
        return len(passed)

    def evaluate(
        self,
        root: Path,
        specs: Sequence[ModelSpec],
        as_of: date,
        engine: str,
        facts: Mapping[str, tuple[str, ...]],
    ) -> Future[list[ModelOutcome]] | None:
        """`runner.evaluate` of `specs` on the workspace at `root`, started in the second
        process; None when it cannot take work (then evaluate them here)."""
        if self._pool is None:
            return None
        try:
            return self._pool.submit(_evaluated, root, list(specs), as_of, engine, dict(facts))
        except RuntimeError:  # the pool is closed or broken
            return None

    def answer(
        self, share: Future[list[ModelOutcome]], max_seconds: float
    ) -> list[ModelOutcome] | None:
        """The outcomes of a share, or None when the second process failed to give them or
        took longer than a model may (`max_seconds`, the run's limit) and `grace` more."""
        try:
            return share.result(max_seconds + self.grace)
        except Exception as error:
            log.info("models evaluated beside: no answer (%s)", error)
            return None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> SecondProcess:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


NICENESS = 5
"""How much lower the second process's priority is than this one's (`os.nice`)."""


def _yield_to_the_first() -> None:
    """The second process takes the core it is given only when the first does not want it:
    its checks are wanted only when the run starts, the first process's import now."""
    with contextlib.suppress(OSError, AttributeError):  # no `nice` on this system
        os.nice(NICENESS)


def _passed(
    specs: list[ModelSpec], datasets: Mapping[str, Dataset]
) -> list[tuple[str, tuple[str, ...]]]:
    """(name, deciding facts) of each of `specs` that passes its checks."""
    passed = []
    for spec in specs:
        name = key(spec, datasets)
        if name is not None:
            problems, deciding = verdict(spec, datasets)
            if not problems:
                passed.append((name, deciding))
    return passed


@gcpause.paused()  # as a run is in the first process (`run_models`)
def _evaluated(
    root: Path,
    specs: list[ModelSpec],
    as_of: date,
    engine: str,
    facts: dict[str, tuple[str, ...]],
) -> list[ModelOutcome]:
    from shujian.models.runner import evaluate

    ws, datasets = _opened(root)
    return evaluate(ws, datasets, specs, as_of, engine, None, facts)


@functools.lru_cache(maxsize=1)
def _opened(root: Path) -> tuple[Workspace, Mapping[str, Dataset]]:
    """The workspace at `root` and its datasets, opened once for the calls of one run."""
    from shujian.workspace import open_workspace

    ws = open_workspace(root)
    return ws, ws.datasets()
