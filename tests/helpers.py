"""What several test modules share: the shipped model library, and a model's fixture written out
as the CSV files an agency would send (and imported). On sys.path through pytest's `pythonpath`."""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.models.fixtures import load_fixture
from shujian.models.spec import load_library
from shujian.users import User
from shujian.workspace import Workspace

LIBRARY = load_library()
CAFE = "campus.internet_cafe"
AS_OF = dt.date(2026, 6, 1)

NOTICE_2027 = """
[[calendar]]
year = 2027
source = "测试用通知（虚构的2027年节假日安排）"
holidays = ["2027-01-01..2027-01-03", "2027-02-05..2027-02-12", "2027-04-03..2027-04-05",
  "2027-05-01..2027-05-05", "2027-06-09", "2027-09-15", "2027-10-01..2027-10-07", "2027-10-08"]
workdays = ["2027-01-31", "2027-02-20", "2027-04-25", "2027-09-26", "2027-10-09"]
"""
"""A `[[calendar]]` entry for 2027 shaped like a real notice (invented: the real one is not out):
every statutory day off, bridging days and make-up Saturdays/Sundays. With it, 2026-12-05 +
2 months (2027-02-05, 除夕) ends on Monday 2027-02-15 instead of the provisional 02-09."""

PROCURATORATE = "人民检察院"
"""The procuratorate of a test workspace made with no region (`Region().procuratorate_name`)."""


COUNTER_NUMBERING = '\n[recommendations]\nnumbering = "counter"\n'
"""shujian.toml's line for a procuratorate whose 文号 the platform's counter gives (the default
is to enter the 统一业务应用系统's)."""


def numbered_by_counter(ws: Workspace) -> Workspace:
    """`ws` set to take 文号 from the platform's counter, in its file and in `ws` itself: for
    tests of what the counter does, or of issuing where the number is beside the point."""
    config = ws.root / "shujian.toml"
    config.write_text(config.read_text(encoding="utf-8") + COUNTER_NUMBERING, encoding="utf-8")
    ws.settings.setdefault("recommendations", {})["numbering"] = "counter"
    return ws


def person(name: str, department: str | None = None, *roles: str) -> User:
    """A user of a test workspace: unless roles are named, whoever acts in a workspace without
    accounts (`single_user`: what `users.accounts.resolve` gives there, who may do everything);
    tests of access name the roles."""
    return User(name, PROCURATORATE, department, frozenset(roles or ("single_user",)))


Mutate = Callable[[str, list[dict[str, Any]]], None]


def _write(path: Path, rows: list[dict[str, Any]], encoding: str) -> Path:
    headers = list(dict.fromkeys(h for r in rows for h in r))
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        w.writerows([[r.get(h, "") for h in headers] for r in rows])
    return path


def write_fixture_csvs(model_id: str, folder: Path, encoding: str = "utf-8") -> dict[str, Path]:
    """Each dataset of a model's fixture as one CSV file in `folder` → {dataset: path}."""
    fixture = load_fixture(LIBRARY[model_id].fixture_path)
    return {
        dataset: _write(folder / f"{dataset}.csv", list(rows), encoding)
        for dataset, rows in fixture["datasets"].items()
    }


def load_fixture_data(
    ws: Workspace, tmp_path: Path, mutate: Mutate | None = None, model_id: str = CAFE
) -> None:
    """Import a model's fixture (the 网吧 one by default) as new files; `mutate` may change the
    rows first, as a corrected file from the agency would."""
    fixture = load_fixture(LIBRARY[model_id].fixture_path)
    for dataset_id, rows in fixture["datasets"].items():
        rows = [dict(r) for r in rows]
        if mutate:
            mutate(dataset_id, rows)
        path = tmp_path / f"{dataset_id}-{len(list(tmp_path.iterdir()))}.csv"
        import_file(
            Warehouse(ws.warehouse_dir, ws.store),
            ws.reports_dir,
            ws.datasets()[dataset_id],
            _write(path, rows, "utf-8"),
            ImportOptions(crs="WGS84"),  # as `shujian models test` reads a fixture
        )


def lead_copies(ws: Workspace, folder: Path, n: int) -> list[int]:
    """`n` new leads, each a copy (its own subject) of the first campus.internet_cafe lead the
    fixture's data gives: one lead per case, for tests that need many cases."""
    from sqlalchemy import select

    from shujian.leads.service import list_leads
    from shujian.leads.store import leads
    from shujian.models.runner import run_models

    folder.mkdir(parents=True, exist_ok=True)
    load_fixture_data(ws, folder)
    run_models(ws, LIBRARY, [CAFE], AS_OF)
    lead = list_leads(ws.store)[0]
    with ws.store.begin() as conn:
        row = dict(conn.execute(select(leads).where(leads.c.id == lead["id"])).one()._mapping)
        row.pop("id")
        return [
            conn.execute(
                leads.insert()
                .values(**{**row, "subject": f"{row['subject']}-{i}"})
                .returning(leads.c.id)
            ).scalar_one()
            for i in range(n)
        ]


def investigated_cases(ws: Workspace, folder: Path, n: int) -> list[int]:
    """`n` cases in 调查核实 (opened 2026-03-02), each from its own copy of one
    campus.internet_cafe lead, ready for a 检察建议书."""
    from shujian.cases.service import open_case, transition

    copies = lead_copies(ws, folder, n)
    prosecutor = person("张检察官", "公益诉讼检察部")
    out = []
    for lead_id in copies:
        case_id = open_case(
            ws.store, [lead_id], "公益诉讼检察部", prosecutor.name, prosecutor, "成案",
            dt.date(2026, 3, 2),
        )  # fmt: skip
        transition(ws.store, case_id, "investigate", prosecutor, "", dt.date(2026, 3, 2))
        out.append(case_id)
    return out


@dataclass(frozen=True)
class PdfWord:
    """A word of a PDF page as poppler's `pdftotext -bbox` sees it, in points from the top left."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str


_BBOX_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def pdf_words(pdf: Path) -> list[list[PdfWord]]:
    """The words of each page of `pdf`, in reading order."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        [
            PdfWord(float(m[1]), float(m[2]), float(m[3]), float(m[4]), html.unescape(m[5]))
            for m in _BBOX_WORD.finditer(page)
        ]
        for page in out.split("<page ")[1:]
    ]


def pdf_lines(pdf: Path) -> list[list[str]]:
    """The text lines of each page of `pdf` (`pdftotext`, pages split at form feeds)."""
    out = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [[line for line in page.splitlines() if line.strip()] for page in out.split("\f")]


def assert_tallies_exact(store: Any) -> None:
    """The tallies the database keeps (`leads.store`, migration 0012) say what counting the
    leads themselves says: per model, status, 不再命中, dispatch and Beijing month found, and per
    model, status, dispatch and Beijing month decided (every decided lead knowing when)."""
    from collections import Counter

    from sqlalchemy import select

    from shujian.beijing import CHINA
    from shujian.leads.store import lead_decision_tallies, lead_tallies, leads

    def month(at: dt.datetime) -> str:
        aware = at if at.tzinfo else at.replace(tzinfo=dt.UTC)  # SQLite gives UTC, naive
        return aware.astimezone(CHINA).strftime("%Y-%m")

    found: Counter[tuple[Any, ...]] = Counter()
    decided: Counter[tuple[Any, ...]] = Counter()
    with store.connect() as conn:
        for r in conn.execute(select(leads)):
            where = (r.dispatch_department or "", r.dispatch_prosecutor or "")
            found[(r.model_id, r.status, bool(r.active), *where, month(r.created_at))] += 1
            if r.status in ("accepted", "dismissed"):
                assert r.decided_at is not None, f"lead {r.id} decided, but not when"
                decided[(r.model_id, r.status, *where, month(r.decided_at))] += 1
        tallied = {
            (r.model_id, r.status, bool(r.active), r.dispatch_department, r.dispatch_prosecutor,
             r.found_month): r.n
            for r in conn.execute(select(lead_tallies)) if r.n
        }  # fmt: skip
        decisions = {
            (r.model_id, r.status, r.dispatch_department, r.dispatch_prosecutor,
             r.decided_month): r.n
            for r in conn.execute(select(lead_decision_tallies)) if r.n
        }  # fmt: skip
    assert tallied == dict(found)
    assert decisions == dict(decided)


def hotel_checkins_csv(path: Path, rows: int, first: int = 0) -> Path:
    """A 旅馆入住登记 file of `rows` valid rows (guests `first`…): an import that lasts a
    while, to interrupt or to run beside something else."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["旅馆名称", "旅馆统一社会信用代码", "房间号", "姓名", "公民身份号码", "入住时间"]
        )
        for i in range(first, first + rows):
            first17 = f"520203{19700101 + (i % 28):08d}{i % 1000:03d}"
            check = "10X98765432"[
                sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11
            ]
            out.writerow(
                [
                    "青岚宾馆",
                    "91110000600037341L",
                    f"{800 + i % 50}",
                    f"旅客{i}",
                    first17 + check,
                    f"2024-05-{1 + i % 28:02d} 21:{i % 60:02d}",
                ]
            )
    return path
