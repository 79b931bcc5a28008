"""`shujian audit verify` as a whole: the chains, the state against its records, the anchors."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from shujian import audit
from shujian.tamper import anchor
from shujian.tamper.check import StateReport, check_state
from shujian.users.user import User

MAX_PROBLEMS = 50
"""Differences listed by name; more are counted (a forged table would otherwise print 100,000)."""


@dataclass(frozen=True)
class Checked:
    result: audit.Verification
    """The chains' verification, with the state's and the anchors' problems added."""
    state: StateReport
    anchors: int
    seconds: float


def verify(
    store: Engine,
    root: Path | None,
    *,
    user: User | None = None,
    anchors: list[anchor.Anchor] | None = None,
) -> Checked:
    """Verify the chains (`audit.verify`, which checks the user's right), then the state against
    its records and the document files under `root`, then the anchors given."""
    started = time.perf_counter()
    log = audit.verify(store, user=user)
    with store.connect() as conn:
        state = check_state(conn, root)
        anchored = anchor.check(conn, anchors) if anchors else []
    extra = [*state.problems, *anchored]
    problems = [*log.problems, *extra]
    if len(problems) > MAX_PROBLEMS:
        hidden = len(problems) - MAX_PROBLEMS
        problems = [*problems[:MAX_PROBLEMS], f"……另有 {hidden} 处不符未逐一列出。"]
    result = dataclasses.replace(
        log, ok=log.ok and not extra, problems=tuple(problems), notes=tuple(state.notes)
    )
    return Checked(result, state, len(anchors or []), time.perf_counter() - started)
