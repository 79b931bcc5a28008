"""Benchmark of the case layer at ten times a city's scale (not part of the tests).

Writes 500,000 leads across the shipped models straight into a fresh SQLite case store, then
times what prosecutors and department heads do with them through the real services: the queue
of one department, bulk dispatch (分派), 成案 of 2,000 cases, 200 numbered 检察建议书, statistics by
every dimension, and the verification of the audit chain. Prints one line per step.

    uv run python bench/cases.py [--leads 500000] [--store URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from shujian import audit
from shujian.cases import stats
from shujian.cases.recommendations import issue_recommendation
from shujian.cases.service import open_case, transition
from shujian.leads import triage
from shujian.leads.queue import homes, queue
from shujian.leads.store import leads, runs
from shujian.models.fixtures import run_fixture
from shujian.models.spec import ModelSpec, load_library
from shujian.store import now
from shujian.users import Departments, User
from shujian.workspace import Region, init_workspace

DEPARTMENTS = ("未成年人检察部", "公益诉讼检察部", "行政检察部", "刑事检察部", "民事检察部")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(label: str, started: float, count: int | None = None) -> None:
    seconds = time.perf_counter() - started
    rate = f"{count / seconds:>10,.0f}/s" if count else " " * 12
    print(f"{label:<48}{seconds:>8.2f} s{rate}   peak {peak_mib():,.0f} MiB", flush=True)


FAKE_EVIDENCE = [{"name": "对象", "id_card": "520203199001011234"}]


def sample_evidence(library: dict[str, ModelSpec]) -> dict[str, list[dict[str, Any]]]:
    """One real lead's evidence per model, from running its fixture (what a document is argued
    from), as the case store keeps it (JSON)."""
    out = {}
    for model in library.values():
        if model.fixture_path is None or not model.fixture_path.exists():
            continue
        result = run_fixture(model, model.fixture_path)
        if result.found:
            finding = next(iter(result.found.values()))
            out[model.id] = json.loads(json.dumps(finding.evidence_list(), default=str))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=500_000)
    parser.add_argument(
        "--store", default=None, help="case store URL (default: SQLite in a temp dir)"
    )
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="shujian-bench-cases-"))
    if args.store:
        import os

        os.environ["SHUJIAN_STORE_URL"] = args.store
    ws = init_workspace(
        root / "ws", region=Region("贵州省", "六盘水市", "青岚县", "520203", "", "青")
    )
    store = ws.store
    place = ws.region.procuratorate_name
    # dispatches leads of every model, wherever they wait: the procuratorate-wide single user
    head = User("李部长", place, DEPARTMENTS[0], frozenset({"single_user"}))
    prosecutor = User("张检察官", place, DEPARTMENTS[0], frozenset({"prosecutor"}))
    chief = User("赵检察长", place, None, frozenset({"chief"}))
    library = load_library()
    models = list(library)
    print(f"case store: {store.url}; {args.leads:,} leads over {len(models)} models")

    t = time.perf_counter()
    stamp = now()
    with store.begin() as conn:
        run_id = conn.execute(
            insert(runs).values(
                started_at=stamp, as_of=dt.date(2026, 6, 1), engine="duckdb", models=models
            )
        ).inserted_primary_key[0]
        batch = []
        evidence = sample_evidence(library)
        for i in range(args.leads):
            model = models[i % len(models)]
            batch.append(
                {
                    "model_id": model,
                    "subject": f"S{i:08d}",
                    "title": f"{library[model].name}线索{i}",
                    "status": "new",
                    "active": True,
                    "evidence": evidence.get(model, FAKE_EVIDENCE),
                    "evidence_hash": f"{i:064x}",
                    "evidence_rows": 1,
                    "parameters": {},
                    "batches": {},
                    "first_run_id": run_id,
                    "last_run_id": run_id,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
            if len(batch) == 20_000:
                conn.execute(insert(leads), batch)
                batch = []
        if batch:
            conn.execute(insert(leads), batch)
    step(f"write {args.leads:,} leads (setup)", t, args.leads)

    per_department = args.leads // 50
    ids = list(range(1, per_department + 1))
    t = time.perf_counter()
    home = homes(library, Departments.bundled())
    triage.dispatch(store, ids, DEPARTMENTS[0], "张检察官", head, home=home)
    step(f"dispatch {len(ids):,} leads in one request", t, len(ids))

    t = time.perf_counter()
    own = queue(store, prosecutor, department=DEPARTMENTS[0], home=home)
    step(f"queue of one department ({len(own):,} leads)", t, len(own))

    t = time.perf_counter()
    everything = queue(store, chief, status=None, home=home)
    step(f"queue of every lead ({len(everything):,})", t, len(everything))

    t = time.perf_counter()
    triage.dismiss(store, ids[2_000:4_000], "与已有线索重复", prosecutor, home=home)
    step("dismiss 2,000 leads in one request", t, 2_000)

    t = time.perf_counter()
    cases = []
    for i, lead_id in enumerate(ids[:2_000]):
        cases.append(
            open_case(
                store,
                [lead_id],
                DEPARTMENTS[i % len(DEPARTMENTS)],
                f"检察官{i % 40}",
                prosecutor,
                "成案",
                dt.date(2026, 3, 2),
                home=home,
            )
        )
    step("open 2,000 cases, one transaction each", t, 2_000)

    t = time.perf_counter()
    # Documents are argued from each model's declared wording over its real evidence rows:
    # only cases whose model declares one are issued (tattoo.scope and review models are not).
    issued = 0
    for i, (case_id, lead_id) in enumerate(zip(cases, ids, strict=False)):
        if issued == 200:
            break
        if library[models[(lead_id - 1) % len(models)]].document is None:
            continue
        # each case's own prosecutor: a prosecutor sees only the cases they handle
        handler = User(
            f"检察官{i % 40}", place, DEPARTMENTS[i % len(DEPARTMENTS)], frozenset({"prosecutor"})
        )
        transition(store, case_id, "investigate", handler, "", dt.date(2026, 3, 3))
        issued += 1
        # As a procuratorate would: the 文号 the 统一业务应用系统 gave, entered at issue; the
        # kind follows the model (the first category it declares).
        issue_recommendation(
            ws,
            library,
            case_id,
            handler,
            dt.date(2026, 3, 20),
            "某局",
            number=f"青检建〔2026〕{issued}号",
        )
    step("investigate + issue 200 numbered 检察建议书 (.docx)", t, 200)

    for by in stats.DIMENSIONS:
        t = time.perf_counter()
        rows = stats.statistics(store, by, home=home, user=chief)
        step(f"statistics by {by} ({len(rows) - 1} rows)", t)

    t = time.perf_counter()
    result = audit.verify(store)
    assert result.ok, result.problems
    step(f"verify the audit chain ({result.entries:,} entries)", t, result.entries)


if __name__ == "__main__":
    main()
