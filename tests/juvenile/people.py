"""What the juvenile tests share: valid ID numbers born on given days, and the register's files
written as an agency's CSV and imported through the real importer. (Imported as
`juvenile.people`: `tests/` is on the path.)"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections.abc import Sequence
from pathlib import Path

from shujian.data.importer import ImportOptions, ImportResult, import_file
from shujian.data.warehouse import Warehouse
from shujian.workspace import Workspace

_SERIAL = itertools.count(11)


def id_card(born: dt.date, region: str = "520203", serial: int | None = None) -> str:
    """A valid 18-character number of someone born on `born` (a new serial each call)."""
    seq = f"{(serial if serial is not None else next(_SERIAL)) % 1000:03d}"
    first17 = f"{region}{born:%Y%m%d}{seq}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


HEADERS = {
    "key_minors": [
        "姓名", "公民身份号码", "类别", "细类", "认定日期", "所属乡镇（街道）", "村（社区）",
        "就读学校", "监护人姓名", "监护人公民身份号码", "监护人联系电话", "退出日期", "退出原因",
    ],
    "minor_assignments": [
        "公民身份号码", "包保单位", "包保责任人", "责任人联系电话", "包保方式", "开始日期", "结束日期",
    ],
    "minor_visits": ["公民身份号码", "走访日期", "走访对象", "走访人", "帮扶内容", "帮扶措施", "记录"],
    "minor_conduct": ["姓名", "公民身份号码", "行为日期", "行为类别", "行为", "处置措施", "处置单位"],
    "school_dropouts": ["姓名", "公民身份号码", "学校", "学段", "离校日期", "劝返日期", "原因"],
}  # fmt: skip


def send(
    ws: Workspace,
    dataset: str,
    rows: Sequence[dict[str, object]],
    folder: Path,
    agency: str = "",
) -> ImportResult:
    """`rows` (header → value; missing headers empty) written as a CSV and imported."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{dataset}-{next(_SERIAL)}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS[dataset])
        for row in rows:
            writer.writerow(
                ["" if row.get(h) is None else str(row.get(h)) for h in HEADERS[dataset]]
            )
    result = import_file(
        Warehouse(ws.warehouse_dir, ws.store),
        ws.reports_dir,
        ws.datasets()[dataset],
        path,
        ImportOptions(agency=agency),
    )
    assert result.rejected == 0, f"{dataset}: {result.rejected} rows rejected ({result.report})"
    return result
