"""一人一档's timeline: every dated fact of a minor's file in one list, in date order.

The register's rows (认定 and 退出 of each registry row, the start and end of each assignment,
each visit, each conduct record), the warnings the user sees and the procuratorate's own records
(`own_records`, only for users who see the whole register) become `FileEntry`s, ordered by day
and, within a day, in the order a file is read (register, assignment, visit, conduct, warning,
own records). Built from the file as it is shown — masked unless revealed — and naming no ID
number: a pure function of the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shujian import beijing
from shujian.juvenile.own_records import FileEntry

ORDER = ("名册认定", "包保开始", "走访", "不良行为", "预警", "包保结束", "名册退出")
"""Kinds in the order they are read within one day; the own records come after the 预警."""


def _joined(*parts: Any) -> str:
    return "；".join(str(p) for p in parts if p)


def timeline(file: Mapping[str, Any]) -> list[FileEntry]:
    """The file's entries in date order (`file`: what `Register.minor_file` returns)."""
    out: list[FileEntry] = []
    for r in file.get("registry") or ():
        sub = f"（{r['subcategory']}）" if r.get("subcategory") else ""
        place = f"{r.get('town') or ''}{r.get('village') or ''}"
        out.append(
            FileEntry(
                r["identified_on"], "名册认定", _joined(f"认定为{r['category_label']}{sub}", place)
            )
        )
        if r.get("withdrawn_on"):
            out.append(
                FileEntry(
                    r["withdrawn_on"],
                    "名册退出",
                    _joined(f"退出{r['category_label']}", r.get("withdrawal_reason") or "未写原因"),
                )
            )
    for a in file.get("assignments") or ():
        who = f"{a['unit']} {a['responsible']}"
        out.append(FileEntry(a["started_on"], "包保开始", _joined(who, a.get("assignment_mode"))))
        if a.get("ended_on"):
            out.append(FileEntry(a["ended_on"], "包保结束", who))
    for v in file.get("visits") or ():
        out.append(
            FileEntry(
                v["visited_on"],
                "走访",
                _joined(
                    f"走访{v['target']}，走访人 {v['visitor']}",
                    v.get("help_content"),
                    v.get("measures"),
                    v.get("notes"),
                ),
            )
        )
    for c in file.get("conduct") or ():
        out.append(
            FileEntry(
                c["act_on"],
                "不良行为",
                _joined(
                    f"{c['conduct_class']}：{c['act']}",
                    f"处置：{c['measures']}" if c.get("measures") else "",
                    c.get("handled_by"),
                ),
            )
        )
    for w in file.get("warnings") or ():
        out.append(
            FileEntry(
                beijing.day_of(w["created_at"]),
                "预警",
                _joined(f"线索 {w['id']} {w['model_name']}：{w['title']}", w["status_label"]),
                link=f"/leads/{w['id']}",
            )
        )
    own = file.get("own") or {}
    for entries in own.values():
        out.extend(entries)
    rank = {k: i for i, k in enumerate(ORDER)}
    own_rank = rank["预警"] + 0.5  # after the day's warnings, before the day's ends
    return sorted(out, key=lambda e: (e.on, rank.get(e.kind, own_rank)))
