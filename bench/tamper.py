"""Benchmark of tamper evidence over the state at a model run's scale (not part of the tests).

Writes `--leads` leads (100,000 by default) through the platform's own write path — the leads of
one run (`record_findings`), their records (`tamper.ledger.track`) and the run's change entry —
then runs the same findings again (every lead found again: what a daily run costs), then times
`audit verify` over the whole store (the chains, every lead against its record), forges one
lead's evidence by SQL and times the verify that names it. Prints one line per step.

    uv run python bench/tamper.py [--leads 100000] [--store URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select, text

from shujian import audit
from shujian.leads.service import Finding, evidence_digest, record_findings
from shujian.leads.store import leads, runs
from shujian.store import now
from shujian.tamper import ledger
from shujian.tamper.verify import verify
from shujian.workspace import Workspace, init_workspace

MODEL = "campus.internet_cafe"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(label: str, started: float, count: int | None = None) -> float:
    seconds = time.perf_counter() - started
    rate = f"{count / seconds:>10,.0f}/s" if count else " " * 12
    print(f"{label:<52}{seconds:>8.2f} s{rate}   peak {peak_mib():,.0f} MiB", flush=True)
    return seconds


def findings(n: int) -> list[Finding]:
    """`n` leads with evidence shaped like the 网吧 model's (a venue, a school, a distance)."""
    out = []
    for i in range(n):
        evidence = [
            {
                "venue_name": f"星空网吧第{i}分店",
                "venue_uscc": f"91520221MA{i:08d}",
                "venue_address": f"青岚县城关镇人民路{i}号",
                "business_status": "在营",
                "school_name": f"青岚县第{i % 40 + 1}小学",
                "distance_m": round(49.9 + (i % 150), 1),
                "source_batch": 1,
                "source_row": i + 2,
            }
        ]
        facts = str(evidence)
        out.append(
            Finding(
                subject=f"91520221MA{i:08d}",
                title=f"星空网吧第{i}分店距青岚县第{i % 40 + 1}小学仅{49.9 + (i % 150):.1f}米",
                evidence=evidence,
                batches={"venues": [1]},
                evidence_rows=1,
                evidence_hash=evidence_digest(facts, 1),
                town="城关镇",
            )
        )
    return out


def one_run(ws: Workspace, found: list[Finding], label: str) -> None:
    t = time.perf_counter()
    with ws.store.begin() as conn:
        run_id = conn.execute(
            insert(runs).values(
                started_at=now(), as_of=dt.date(2026, 6, 1), engine="duckdb", models=[MODEL]
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        counts = record_findings(conn, int(run_id), MODEL, found, {})
        wrote = time.perf_counter()
        state: list[ledger.StateRow] = []
        for columns, ids in counts.written:
            state += ledger.track(conn, "lead", ids, columns)
        tracked = time.perf_counter()
        audit.record(conn, "system", "run_models", "run", run_id, {"bench": True}, state=state)
    total = step(f"{label}: write, record and commit", t, len(found))
    print(
        f"{'':<4}of which leads {wrote - t:.2f} s, records {tracked - wrote:.2f} s "
        f"({len(state):,} records), entry and commit {total - (tracked - t):.2f} s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--store", default=None, help="case store URL (default: SQLite)")
    args = parser.parse_args()
    if args.store:
        os.environ["SHUJIAN_STORE_URL"] = args.store
    with tempfile.TemporaryDirectory() as tmp:
        ws = init_workspace(Path(tmp) / "ws")
        print(f"store: {ws.store.dialect.name}, {args.leads:,} leads", flush=True)
        found = findings(args.leads)
        one_run(ws, found, f"first run, {args.leads:,} new leads")
        one_run(ws, found, f"second run, {args.leads:,} leads found again")

        t = time.perf_counter()
        checked = verify(ws.store, ws.root)
        step(f"audit verify ({checked.state.compared.get('lead', 0):,} leads)", t, args.leads)
        assert checked.result.ok, checked.result.problems

        with ws.store.begin() as conn:
            lead = conn.execute(select(func.min(leads.c.id))).scalar_one()
            if conn.dialect.name == "sqlite":
                forged = "json_set(evidence, '$[0].distance_m', '距学校仅35米')"
            else:
                forged = """CAST('[{"distance_m": "距学校仅35米"}]' AS json)"""
            conn.execute(text(f"UPDATE leads SET evidence = {forged} WHERE id = {lead}"))
        t = time.perf_counter()
        checked = verify(ws.store, ws.root)
        step("audit verify after one lead's evidence was forged", t, args.leads)
        print(f"{'':<4}{checked.result.problems[0]}", flush=True)
        size = ws.store.url.database
        if ws.store.dialect.name == "sqlite" and size:
            with ws.store.connect() as conn:
                digests = conn.execute(
                    text("SELECT sum(length(digest)) FROM state_digests")
                ).scalar_one()
            print(
                f"{'':<4}case store {Path(size).stat().st_size / 2**20:,.0f} MiB, "
                f"of which record digests {int(digests) / 2**20:,.0f} MiB",
                flush=True,
            )
        ws.store.dispose()


if __name__ == "__main__":
    main()
