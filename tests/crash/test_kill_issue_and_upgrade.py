"""kill -9 of `shujian cases recommend` and of `shujian db upgrade` at a few points of their
measured duration (`bench/crash.py` does thirty random ones of each, and of import and run):
nothing half-done is left, and finishing afterwards works."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from sqlalchemy import func, select

from helpers import investigated_cases, numbered_by_counter
from kills import (
    CLI,
    document_problems,
    kill_at,
    leftovers,
    release_010,
    store_problems,
    table_counts,
    timed,
    upgrade_problems,
)
from shujian.cases.store import recommendations
from shujian.leads.store import leads
from shujian.workspace import init_workspace, open_workspace

USER = "张检察官"
POINTS = (0.6, 0.85)
"""Where in the command's measured duration (most of it Python starting) the kills come: while
the store is written, or about to be."""


def recommend(root: Path, case: int) -> list[str]:
    return [*CLI, "-w", str(root), "-u", USER, "cases", "recommend", str(case),
            "--recipient", "青岚县文化市场综合行政执法大队", "--on", "2026-05-06"]  # fmt: skip


def test_killed_issue_leaves_numbers_without_gap_and_each_document_written_or_writable(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ws"
    ws = numbered_by_counter(init_workspace(root))
    cases = investigated_cases(ws, tmp_path / "cases", len(POINTS) + 1)
    ws.store.dispose()
    duration = timed(recommend(root, cases[0]))
    killed = 0
    for case, point in zip(cases[1:], POINTS, strict=True):
        killed += kill_at(recommend(root, case), duration * point)
        problems, unwritten = document_problems(root)
        assert problems == []
        for number in unwritten:  # the number stands; its document is written, same number
            done = subprocess.run(
                [*CLI, "-w", str(root), "-u", USER, "cases", "render", number],
                capture_output=True, text=True,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
        ws = open_workspace(root)
        with ws.store.connect() as conn:
            issued = conn.execute(
                select(recommendations.c.id).where(recommendations.c.case_id == case)
            ).first()
        ws.store.dispose()
        if issued is None:  # killed before the number was taken: issuing again works
            done = subprocess.run(recommend(root, case), capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        assert document_problems(root) == ([], [])
        assert leftovers(root) == []
    assert killed >= 1, "the kills came too late to interrupt any issue"
    ws = open_workspace(root)
    with ws.store.connect() as conn:
        seqs = conn.execute(select(recommendations.c.seq).order_by("seq")).scalars().all()
    ws.store.dispose()
    assert seqs == list(range(1, len(cases) + 1))


def test_killed_upgrade_leaves_the_store_as_it_was_or_upgraded_and_upgrades_again(
    tmp_path: Path,
) -> None:
    first = release_010(tmp_path / "upgrade-0")
    before = table_counts(first)
    duration = timed([*CLI, "-w", str(first), "-u", USER, "db", "upgrade"])
    killed = 0
    for n, point in enumerate(POINTS, start=1):
        root = release_010(tmp_path / f"upgrade-{n}")
        killed += kill_at([*CLI, "-w", str(root), "-u", USER, "db", "upgrade"], duration * point)
        assert upgrade_problems(root, before) == []
        done = subprocess.run(
            [*CLI, "-w", str(root), "-u", USER, "db", "upgrade"], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        ws = open_workspace(root)
        assert store_problems(ws.store) == []
        with ws.store.connect() as conn:
            assert (
                conn.execute(select(func.count()).select_from(leads)).scalar_one()
                == before["leads"]
            )
        ws.store.dispose()
    assert killed >= 1, "the kills came too late to interrupt any upgrade"


def test_rendering_again_removes_what_a_killed_rendering_left_and_nothing_else(
    tmp_path: Path,
) -> None:
    """A rendering killed midway leaves its `.part` file beside the document (the window is short:
    `bench/crash.py` seldom lands in it). Here the number is taken and the file not written (the
    year's folder could not be made), and the part file such a kill leaves is put in its place."""
    from helpers import LIBRARY, person
    from shujian.cases.recommendations import DocumentNotRendered, issue_recommendation

    root = tmp_path / "ws"
    ws = numbered_by_counter(init_workspace(root))
    (case,) = investigated_cases(ws, tmp_path / "cases", 1)
    ws.documents_dir.mkdir(parents=True)
    (ws.documents_dir / "2026").write_text("not a folder", encoding="utf-8")
    prosecutor = person("张检察官", "公益诉讼检察部")
    try:
        issue_recommendation(ws, LIBRARY, case, prosecutor, dt.date(2026, 5, 6), "某局")
    except DocumentNotRendered as refused:
        number = refused.number
    ws.store.dispose()
    (ws.documents_dir / "2026").unlink()
    (ws.documents_dir / "2026").mkdir()
    killed = ws.documents_dir / "2026" / f".{number}.docx.{'0' * 32}.part"
    killed.write_bytes(b"PK\x03\x04 half a docx")
    others = [ws.documents_dir / "2026" / n for n in (f".{number}.docx.mine.part", "说明.txt")]
    for other in others:
        other.write_text("not the platform's", encoding="utf-8")
    done = subprocess.run(
        [*CLI, "-w", str(root), "-u", USER, "cases", "render", number],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert document_problems(root) == ([], [])
    assert not killed.exists() and all(other.exists() for other in others)
