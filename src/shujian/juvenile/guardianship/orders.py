"""督促监护令: issue (number, record, render), re-print, follow up on the schedule, list overdue.

Issuing follows `cases/recommendations.py` in three steps, so that the lock on the 文号 counter is
never held while a document is rendered:

1. *Draft*, outside any transaction: the minor (by 编号 or ID number, among those the user sees),
   the content (facts, duties, basis, 家庭教育指导, the schedule of `[juvenile]
   order_followup_months`), checked for what it must not disclose
   (`documents.guardianship_order.check_disclosure`: no ID number, no other minor of the
   register) and against the wording template. Anything refused here uses no number.
2. *Reserve*, one short transaction: the 文号 — entered from the 统一业务应用系统 and checked
   unique, or the next of the order's own counter series (`[juvenile] order_numbering`) — and the
   `guardianship_orders` row with the full content, the wording template as it is now and the
   file's place, its hash still empty; audited in the same transaction.
3. *Render*, after the commit: the .docx is written under a temporary name and moved to its place
   in the short transaction that records its hash. A failure is recorded on the order
   (`render_error`); the number stays issued.

An issued order is frozen: `render_again` hands out the archived file when its hash is the one
recorded, else the document rendered again from the kept content and wording — only if that gives
the recorded hash.

Follow-up visits (`order_follow_ups`, append-only) are recorded against the order's scheduled
visits (`rules.schedule`, fixed at issue by the months stored on the order); the newest record of a
visit stands. `overdue` lists the scheduled visits past their due date with no record, across
orders.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from shujian import audit
from shujian.cases.deadlines import provisional_note
from shujian.cases.documents.guardianship_order import (
    SCHEME,
    TEMPLATE,
    OrderContent,
    check_disclosure,
    find_template,
    scrub_mobile,
)
from shujian.cases.documents.kinds import DocumentKind, document_kind
from shujian.cases.documents.wording import load_wording
from shujian.cases.numbering import (
    COUNTER,
    ENTERED,
    MODES,
    check_date_order,
    next_seq,
    normalise_number,
    parse_entered_seq,
    refuse_taken,
)
from shujian.cases.policy import check_not_future
from shujian.errors import UserError
from shujian.juvenile.guardianship import rules
from shujian.juvenile.guardianship.access import check_issue, check_view, check_work
from shujian.juvenile.guardianship.store import (
    guardian_reprimands,
    guardianship_orders,
    guidance_sessions,
    order_follow_ups,
)
from shujian.juvenile.service import Register
from shujian.juvenile.texts import entered_text
from shujian.models.labels import mask_id_card
from shujian.names import document_file, partial_file, remove_partials
from shujian.store import now
from shujian.users.access import require
from shujian.users.user import User

ORDER = "guardianship_order"
"""The object type of an order in the audit log (its id is the order's number in the store)."""

KIND = "guardianship_order"
CATEGORY = "juvenile"
"""The counter's category: the order's series is (guardianship_order, procuratorate, juvenile,
year), never the 检察建议书's."""

TEXT_LIMIT = 2000
NAME_LIMIT = 64
RELATION_LIMIT = 32


TAKEN_HINT = "请核对统一业务应用系统中编定的文号。"
"""What a 督促监护令 whose entered 文号 is taken asks the prosecutor to check."""


@dataclass(frozen=True)
class Issued:
    id: int
    number: str
    document: Path
    due: tuple[rules.Due, ...]


# ---------------------------------------------------------------------------- small checks


def _text(value: str | None, what: str, *, required: bool = True, limit: int = TEXT_LIMIT) -> str:
    return entered_text(value, what, limit, required=required)


def _texts(values: Sequence[str], what: str) -> tuple[str, ...]:
    return tuple(_text(v, what) for v in values if v and v.strip())


def follow_up_months(register: Register) -> tuple[int, ...]:
    """The schedule of `[juvenile] order_followup_months` (months after issue, ascending)."""
    months = tuple(sorted({int(m) for m in register.ws.setting("juvenile.order_followup_months")}))
    if not months:
        raise UserError(
            "[juvenile] order_followup_months 不能为空：督促监护令至少安排一次回访。",
            code="bad_config",
        )
    return months


def numbering_mode(register: Register) -> str:
    mode = str(register.ws.setting("juvenile.order_numbering"))
    if mode not in MODES:
        raise UserError(
            f"[juvenile] order_numbering 应为 “entered” 或 “counter”，收到：“{mode}”。",
            code="bad_config",
        )
    return mode


def _entered_or_refuse(register: Register, number: str | None) -> str | None:
    given = number.strip() if number and number.strip() else None
    if numbering_mode(register) == ENTERED:
        if given is None:
            raise UserError(
                "制发督促监护令须填写文号：本院的督促监护令文号由统一业务应用系统编定"
                '（[juvenile] order_numbering = "entered"），请先在统一业务应用系统中取得文号，'
                '制发时填写。如由本平台编号，管理员可改为 "counter"。',
                code="number_required",
            )
        return given
    if given is not None:
        raise UserError(
            f'本院的督促监护令由本平台编号（[juvenile] order_numbering = "counter"），'
            f"不能另行填写文号“{given}”：填写的文号与本平台编出的文号混用会重复。",
            code="number_not_allowed",
        )
    return None


# ---------------------------------------------------------------------------- the minor


def minor_name(register: Register, id_card: str) -> str:
    """The minor's name on the register (earliest registration), else on an assignment."""
    rows = register.registry_rows().filter(pl.col("id_card") == id_card).sort("identified_on")
    if rows.height:
        return str(rows["name"][0])
    return ""


def _other_minors(register: Register, id_card: str) -> list[str]:
    """The names of every other minor of the register (for the disclosure check)."""
    rows = register.registry_rows()
    own = set(rows.filter(pl.col("id_card") == id_card)["name"].to_list())
    return sorted(set(rows.filter(pl.col("id_card") != id_card)["name"].to_list()) - own)


# ---------------------------------------------------------------------------- issuing


@dataclass(frozen=True)
class Draft:
    id_card: str
    kind: DocumentKind
    content: OrderContent
    template_dirs: tuple[Path, ...]


UNNUMBERED = "（文号待编）"


def _draft(
    register: Register,
    user: User,
    minor: str,
    on_date: dt.date,
    *,
    guardian: str,
    relation: str,
    facts: Sequence[str],
    items: Sequence[str],
    basis: Sequence[str],
    guidance: str,
    contact: str | None,
) -> Draft:
    id_card = register.find(user, minor)
    child = minor_name(register, id_card)
    if not child:
        raise UserError(
            f"名册中没有 {mask_id_card(id_card)} 的姓名，无法制发督促监护令。", code="no_name"
        )
    grounds = []
    for b in basis or ("family_education_49",):
        gid = rules.ground_id(b)
        if gid is None:
            listed = "、".join(rules.GROUNDS.values())
            raise UserError(f"未知的法律依据“{b}”。可选：{listed}。", code="unknown_ground")
        grounds.append(rules.GROUNDS[gid])
    settings = register.ws.section("recommendations")
    content = OrderContent(
        procuratorate=register.ws.region.procuratorate_name,
        number=UNNUMBERED,
        guardian=_text(guardian, "监护人姓名", limit=NAME_LIMIT),
        relation=_text(relation, "监护人与未成年人的关系", limit=RELATION_LIMIT),
        child=child,
        issued_on=on_date,
        facts=tuple(scrub_mobile(f) for f in _texts(facts, "事实")),
        basis=tuple(dict.fromkeys(grounds)),
        items=tuple(scrub_mobile(i) for i in _texts(items, "监护事项")),
        follow_up_months=follow_up_months(register),
        guidance=scrub_mobile(_text(guidance, "家庭教育指导", required=False)),
        contact=str(contact if contact is not None else settings.get("contact", "")).strip(),
    )
    check_disclosure(content, _other_minors(register, id_card))
    kind = document_kind(KIND)
    dirs = kind.template_dirs(register.ws.templates_dir)
    _check_renderable(content, dirs)
    return Draft(id_card, kind, content, dirs)


def _check_renderable(content: OrderContent, dirs: Sequence[Path]) -> None:
    """Load the wording and fill every part once (a broken template fails before a number)."""
    from shujian.cases.documents.guardianship_order import render_guardianship_order

    with tempfile.TemporaryDirectory(prefix="shujian-order-check-") as folder:
        render_guardianship_order(content, Path(folder) / "check.docx", dirs)


@contextlib.contextmanager
def _frozen(text: str) -> Iterator[tuple[Path, ...]]:
    """A template folder holding only the wording kept at issue."""
    with tempfile.TemporaryDirectory(prefix="shujian-order-wording-") as folder:
        (Path(folder) / f"{TEMPLATE}.yaml").write_text(text, encoding="utf-8")
        yield (Path(folder),)


def issue_order(
    register: Register,
    user: User,
    today: dt.date,
    minor: str,
    *,
    guardian: str,
    relation: str,
    facts: Sequence[str],
    items: Sequence[str],
    basis: Sequence[str] = (),
    guidance: str = "",
    on_date: dt.date | None = None,
    number: str | None = None,
    contact: str | None = None,
) -> Issued:
    """制发督促监护令 to the guardian of `minor` (a 编号 or an ID number): draft and check,
    reserve the number and record the order, render the .docx (see the module docstring).

    Raises:
        UserError: refused before anything was recorded (no number used), or `document_not_rendered`
            (the order is issued and numbered, its file not written).
    """
    check_issue(user, register.juvenile_department)
    day = on_date or today
    check_not_future(day, today, "制发日期")
    entered_text = _entered_or_refuse(register, number)
    draft = _draft(
        register,
        user,
        minor,
        day,
        guardian=guardian,
        relation=relation,
        facts=facts,
        items=items,
        basis=basis,
        guidance=guidance,
        contact=contact,
    )
    ws = register.ws
    example = draft.kind.number(ws.region.short, "", day.year, 3)
    entered = (
        parse_entered_seq(entered_text, day.year, example, "督促监护令") if entered_text else None
    )
    data = find_template(TEMPLATE, draft.template_dirs).read_bytes()
    wording, wording_sha = data.decode("utf-8"), hashlib.sha256(data).hexdigest()
    with _frozen(wording) as dirs:
        load_wording(find_template(TEMPLATE, dirs), SCHEME)
    procuratorate = ws.region.procuratorate_name
    months = list(draft.content.follow_up_months)
    try:
        with register.store.begin() as conn:
            if entered is not None:
                refuse_taken(conn, guardianship_orders, entered[0], "督促监护令", TAKEN_HINT)
                number_, seq, numbering = entered[0], entered[1], ENTERED
            else:
                seq = next_seq(conn, draft.kind, procuratorate, CATEGORY, day.year)
                check_date_order(conn, guardianship_orders, procuratorate, day)
                number_ = draft.kind.number(ws.region.short, "", day.year, seq)
                numbering = COUNTER
            content = dataclasses.replace(draft.content, number=number_)
            target = document_file(ws.documents_dir / str(day.year), number_)
            order_id = conn.execute(
                insert(guardianship_orders)
                .values(
                    number=number_,
                    numbering=numbering,
                    procuratorate=procuratorate,
                    year=day.year,
                    seq=seq,
                    id_card=draft.id_card,
                    guardian=content.guardian,
                    relation=content.relation,
                    issued_on=day,
                    follow_up_months=months,
                    content=_jsonable(content),
                    template_text=wording,
                    template_sha256=wording_sha,
                    document=str(target.relative_to(ws.root)),
                    document_sha256=None,
                    actor=user.name,
                    created_at=now(),
                )
                .returning(guardianship_orders.c.id)
            ).scalar_one()
            audit.record(
                conn,
                user.name,
                "issue_guardianship_order",
                ORDER,
                order_id,
                {
                    "number": number_,
                    "numbering": numbering,
                    "minor": mask_id_card(draft.id_card),
                    "ref": register.ref(draft.id_card),
                    "guardian": content.guardian,
                    "relation": content.relation,
                    "issued_on": day.isoformat(),
                    "follow_up_months": months,
                    "document": str(target),
                    "template_sha256": wording_sha,
                },
            )
    except IntegrityError:
        if entered is not None:
            with register.store.connect() as conn:
                refuse_taken(conn, guardianship_orders, entered[0], "督促监护令", TAKEN_HINT)
        raise
    path = _render_recorded(register, int(order_id), number_, content, target, wording, user.name)
    due = tuple(rules.schedule(day, months, ws.calendar))
    return Issued(int(order_id), number_, path, due)


def _jsonable(content: OrderContent) -> dict[str, Any]:
    data = dataclasses.asdict(content)
    data["issued_on"] = content.issued_on.isoformat()
    return data


def content_from_record(data: dict[str, Any]) -> OrderContent:
    raw = dict(data)
    raw["issued_on"] = dt.date.fromisoformat(raw["issued_on"])
    for key in ("facts", "basis", "items"):
        raw[key] = tuple(raw.get(key) or ())
    raw["follow_up_months"] = tuple(int(m) for m in raw.get("follow_up_months") or ())
    return OrderContent(**raw)


def _render(content: OrderContent, out: Path, wording: str) -> Path:
    kind = document_kind(KIND)
    with _frozen(wording) as dirs:
        return kind.renderer()(content, out, dirs)


def _render_recorded(
    register: Register,
    order_id: int,
    number: str,
    content: OrderContent,
    target: Path,
    wording: str,
    actor: str,
) -> Path:
    """Write the file after the reservation committed; record its hash (or the failure)."""
    partial = partial_file(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _render(content, partial, wording)
        digest = hashlib.sha256(partial.read_bytes()).hexdigest()
        with register.store.begin() as conn:
            claimed = conn.execute(
                update(guardianship_orders)
                .where(
                    guardianship_orders.c.id == order_id,
                    guardianship_orders.c.document_sha256.is_(None),
                )
                .values(document_sha256=digest, render_error=None)
            ).rowcount
            if claimed:
                os.replace(partial, target)
                remove_partials(target)
                audit.record(
                    conn,
                    actor,
                    "render_guardianship_order",
                    ORDER,
                    order_id,
                    {"number": number, "sha256": digest},
                )
    except Exception as exc:
        reason = exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        with register.store.begin() as conn:
            conn.execute(
                update(guardianship_orders)
                .where(
                    guardianship_orders.c.id == order_id,
                    guardianship_orders.c.document_sha256.is_(None),
                )
                .values(render_error=reason)
            )
            audit.record(
                conn, actor, "render_failed", ORDER, order_id, {"number": number, "error": reason}
            )
        raise UserError(
            f"督促监护令 {number} 已制发并编号，但文书未能生成：{reason}。文号已记录，"
            "排除原因后可按存档内容重新生成，文号不变。",
            code="document_not_rendered",
        ) from exc
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    if not claimed:
        raise UserError(
            f"督促监护令 {number} 的文书已由他人生成。", code="document_already_rendered"
        )
    return target


def render_issued(register: Register, user: User, number: str) -> Path:
    """Write the file of an issued order whose rendering failed or never happened."""
    check_issue(user, register.juvenile_department)
    with register.store.connect() as conn:
        row = _row(conn, number)
    if row["document_sha256"] is not None:
        raise UserError(f"督促监护令 {number} 的文书已生成。", code="document_already_rendered")
    content = content_from_record(row["content"])
    return _render_recorded(
        register,
        row["id"],
        number,
        content,
        register.ws.root / row["document"],
        row["template_text"],
        user.name,
    )


@dataclass(frozen=True)
class Reprint:
    path: Path
    number: str
    archive: str
    """`intact` (the archived file, byte for byte), `missing` or `altered` (rendered again from
    what was kept at issue, identical to the recorded hash)."""


def render_again(register: Register, user: User, number: str, out: Path) -> Reprint:
    """Re-print an issued order: the very document issued, byte for byte (see
    `cases.recommendations.render_again`, whose rules this follows). Audited as an export."""
    check_view(user, register.juvenile_department)
    require(user, "export")
    with register.store.connect() as conn:
        row = _row(conn, number)
    if row["document_sha256"] is None:
        why = f"：{row['render_error']}" if row["render_error"] else ""
        raise UserError(
            f"督促监护令 {number} 的存档文书尚未生成{why}。", code="document_not_rendered"
        )
    archive = register.ws.root / row["document"]
    if out.resolve() == archive.resolve():
        raise UserError(
            f"输出文件不能是存档文书本身（{archive}）：请另选输出位置。", code="output_is_archive"
        )
    data = archive.read_bytes() if archive.is_file() else None
    if data is not None and hashlib.sha256(data).hexdigest() == row["document_sha256"]:
        state = "intact"
    else:
        state = "missing" if data is None else "altered"
        with tempfile.TemporaryDirectory(prefix="shujian-order-reprint-") as folder:
            again = _render(
                content_from_record(row["content"]),
                Path(folder) / "order.docx",
                row["template_text"],
            ).read_bytes()
        if hashlib.sha256(again).hexdigest() != row["document_sha256"]:
            raise UserError(
                f"督促监护令 {number} 的存档文书{'缺失' if data is None else '已被改动'}，"
                "按存档内容重新生成的文书与制发时记录的不一致，无法重现：未生成任何文件，"
                "请从备份恢复存档文书。",
                code="document_not_reproducible",
            )
        data = again
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    audit.record_view(
        register.store,
        user.name,
        ORDER,
        row["id"],
        {"document": number, "archive": state},
        action="export",
    )
    return Reprint(out, number, state)


# ---------------------------------------------------------------------------- reading


def _not_found(key: str | int) -> UserError:
    return UserError(f"找不到督促监护令 {key}。", code="not_found")


def _row(conn: Connection, key: str | int) -> dict[str, Any]:
    """An order by its 文号 (as typed: brackets and spaces normalised) or its id."""
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        query = select(guardianship_orders).where(guardianship_orders.c.id == int(key))
    else:
        text = unicodedata.normalize("NFC", normalise_number(str(key)))
        query = select(guardianship_orders).where(guardianship_orders.c.number == text)
    row = conn.execute(query).first()
    if row is None:
        raise _not_found(key)
    return dict(row._mapping)


def _visits(
    register: Register, order: dict[str, Any], records: Sequence[dict[str, Any]], today: dt.date
) -> list[dict[str, Any]]:
    """The order's scheduled visits with their standing record, status and history."""
    calendar = register.ws.calendar
    standing = rules.standing(records)
    out = []
    for due in rules.schedule(order["issued_on"], order["follow_up_months"], calendar):
        record = standing.get(due.visit)
        visited = record["visited_on"] if record else None
        status = rules.visit_status(due.on, visited, today)  # type: ignore[arg-type]
        out.append(
            {
                "visit": due.visit,
                "months": due.months,
                "due": due.on,
                "moved": due.moved,
                "provisional": provisional_note(due.provisional),
                "status": status,
                "status_label": rules.VISIT_STATUS_LABELS[status],
                "record": dict(record) if record else None,
                "outcome_label": rules.OUTCOMES.get(str(record["outcome"]), "") if record else "",
                "history": [dict(r) for r in records if r["visit"] == due.visit],
                "days_late": (
                    ((visited or today) - due.on).days  # type: ignore[operator]
                    if status in ("late", "overdue")
                    else 0
                ),
            }
        )
    return out


def _shown(
    register: Register,
    order: dict[str, Any],
    records: Sequence[dict[str, Any]],
    reprimanded: Sequence[dt.date],
    today: dt.date,
) -> dict[str, Any]:
    visits = _visits(register, order, records, today)
    status = rules.order_status(
        [
            (v["due"], v["record"]["visited_on"] if v["record"] else None,
             v["record"]["outcome"] if v["record"] else None)
            for v in visits
        ],
        reprimanded,
        today,
    )  # fmt: skip
    out = {k: v for k, v in order.items() if k not in ("content", "template_text")}
    out["ref"] = register.ref(order["id_card"])
    out["id_card"] = mask_id_card(order["id_card"])
    out["name"] = order["content"].get("child", "")
    out["visits"] = visits
    out["status"] = status
    out["status_label"] = rules.ORDER_STATUS_LABELS[status]
    pending = [v for v in visits if v["record"] is None]
    out["next_due"] = pending[0]["due"] if pending else None
    out["next_provisional"] = pending[0]["provisional"] if pending else ""
    out["overdue_visits"] = sum(1 for v in visits if v["status"] == "overdue")
    return out


def _reprimand_days(conn: Connection, orders: Sequence[dict[str, Any]]) -> dict[int, list[dt.date]]:
    """For each order, the days its guardian was reprimanded about the same minor."""
    ids = sorted({o["id_card"] for o in orders})
    if not ids:
        return {}
    rows = conn.execute(
        select(
            guardian_reprimands.c.id_card,
            guardian_reprimands.c.guardian,
            guardian_reprimands.c.on_date,
        ).where(guardian_reprimands.c.id_card.in_(ids))
    ).all()
    return {
        o["id"]: [
            r.on_date for r in rows if r.id_card == o["id_card"] and r.guardian == o["guardian"]
        ]
        for o in orders
    }


def _records(conn: Connection, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = conn.execute(
        select(order_follow_ups)
        .where(order_follow_ups.c.order_id.in_(list(ids)))
        .order_by(order_follow_ups.c.id)
    )
    for r in rows:
        out[r.order_id].append(dict(r._mapping))
    return out


def _all(register: Register, today: dt.date, id_card: str | None = None) -> list[dict[str, Any]]:
    query = select(guardianship_orders).order_by(
        guardianship_orders.c.issued_on.desc(), guardianship_orders.c.id.desc()
    )
    if id_card is not None:
        query = query.where(guardianship_orders.c.id_card == id_card)
    with register.store.connect() as conn:
        orders = [dict(r._mapping) for r in conn.execute(query)]
        records = _records(conn, [o["id"] for o in orders])
        reprimanded = _reprimand_days(conn, orders)
    return [_shown(register, o, records[o["id"]], reprimanded[o["id"]], today) for o in orders]


STATUS_ORDER = {"attention": 0, "overdue": 1, "following": 2, "done": 3}


def list_orders(
    register: Register, user: User, today: dt.date, *, id_card: str | None = None
) -> list[dict[str, Any]]:
    """Every order (of one minor, when `id_card` is given): those needing action first
    (未改善待处理, then with overdue visits), then those being followed up, then those whose
    visits are all recorded; latest issued first within each. Audited as a list view."""
    check_view(user, register.juvenile_department)
    orders = sorted(_all(register, today, id_card), key=lambda o: STATUS_ORDER[o["status"]])
    filters = {"minor": register.ref(id_card)} if id_card else {}
    audit.record_list_view(
        register.store, user.name, ORDER, filters, [o["id"] for o in orders], total=len(orders)
    )
    return orders


def order_minor(register: Register, user: User, key: str | int) -> tuple[str, str]:
    """The 编号 of the order's minor and the order's 文号."""
    check_view(user, register.juvenile_department)
    with register.store.connect() as conn:
        row = _row(conn, key)
    return register.ref(row["id_card"]), str(row["number"])


def overdue(register: Register, user: User, today: dt.date) -> list[dict[str, Any]]:
    """The scheduled visits past their due date with no record, across orders, the longest
    overdue first. Audited as a list view."""
    check_view(user, register.juvenile_department)
    found = []
    for o in _all(register, today):
        for v in o["visits"]:
            if v["status"] == "overdue":
                found.append({"order": o, **v})
    found.sort(key=lambda r: (r["due"], r["order"]["id"]))
    audit.record_list_view(
        register.store,
        user.name,
        ORDER,
        {"overdue": today.isoformat()},
        [r["order"]["id"] for r in found],
        total=len(found),
    )
    return found


def get_order(register: Register, user: User, key: str | int, today: dt.date) -> dict[str, Any]:
    """One order (by 文号 or id) with its visits, their history, the guardian's 训诫 and the
    guidance sessions recorded under it; the view is audited."""
    check_view(user, register.juvenile_department)
    with register.store.connect() as conn:
        order = _row(conn, key)
        records = _records(conn, [order["id"]])[order["id"]]
        reprimanded = _reprimand_days(conn, [order])[order["id"]]
        reprimands = [
            dict(r._mapping)
            for r in conn.execute(
                select(guardian_reprimands)
                .where(guardian_reprimands.c.id_card == order["id_card"])
                .order_by(guardian_reprimands.c.on_date, guardian_reprimands.c.id)
            )
        ]
        sessions = [
            dict(r._mapping)
            for r in conn.execute(
                select(guidance_sessions)
                .where(guidance_sessions.c.order_id == order["id"])
                .order_by(guidance_sessions.c.on_date, guidance_sessions.c.id)
            )
        ]
    out = _shown(register, order, records, reprimanded, today)
    out["content"] = order["content"]
    out["reprimands"] = [
        {**r, "ground_label": rules.GROUNDS.get(r["ground"], r["ground"]), "id_card": None}
        for r in reprimands
    ]
    out["sessions"] = [{**s, "id_card": None} for s in sessions]
    out["rendered"] = order["document_sha256"] is not None
    audit.record_view(register.store, user.name, ORDER, order["id"], {"number": order["number"]})
    return out


# ---------------------------------------------------------------------------- follow-ups


def record_follow_up(
    register: Register,
    user: User,
    key: str | int,
    today: dt.date,
    *,
    on_date: dt.date,
    outcome: str,
    note: str,
    visit: int | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    """Record a follow-up visit of the order: against scheduled visit `visit` (1, 2, 3 …; by
    default the first one not yet recorded), on `on_date`, its outcome and what was found. A
    visit recorded again adds a row; the newest stands. Returns the visit as it now stands."""
    check_work(user, register.juvenile_department)
    check_not_future(on_date, today, "回访日期")
    found = rules.outcome_id(outcome)
    if found is None:
        listed = "、".join(rules.OUTCOMES.values())
        raise UserError(f"回访结果应为：{listed}，收到：“{outcome}”。", code="unknown_outcome")
    note = _text(note, "回访情况", required=found == "not_improved")
    by = _text(by or user.name, "回访人", limit=128)
    with register.store.begin() as conn:
        order = _row(conn, key)
        if on_date < order["issued_on"]:
            raise UserError(
                f"回访日期 {on_date.isoformat()} 早于督促监护令的制发日期"
                f"（{order['issued_on'].isoformat()}）。",
                code="date_too_early",
            )
        due = rules.schedule(order["issued_on"], order["follow_up_months"], register.ws.calendar)
        records = _records(conn, [order["id"]])[order["id"]]
        if visit is None:
            recorded = set(rules.standing(records))
            pending = [d.visit for d in due if d.visit not in recorded]
            if not pending:
                raise UserError(
                    f"督促监护令 {order['number']} 的 {len(due)} 次回访均已登记；"
                    "如需更正某次回访，请写明第几次回访。",
                    code="all_visits_recorded",
                )
            visit = pending[0]
        if not 1 <= visit <= len(due):
            raise UserError(
                f"督促监护令 {order['number']} 安排了 {len(due)} 次回访，没有第 {visit} 次。",
                code="no_such_visit",
            )
        scheduled = due[visit - 1]
        conn.execute(
            insert(order_follow_ups).values(
                order_id=order["id"],
                visit=visit,
                visited_on=on_date,
                outcome=found,
                note=note,
                by_whom=by,
                actor=user.name,
                at=now(),
            )
        )
        late = on_date > scheduled.on
        audit.record(
            conn,
            user.name,
            "follow_up_guardianship_order",
            ORDER,
            order["id"],
            {
                "number": order["number"],
                "visit": visit,
                "due": scheduled.on.isoformat(),
                "visited_on": on_date.isoformat(),
                "late": late,
                "outcome": found,
                "note": note,
                "by": by,
            },
        )
    return {
        "number": order["number"],
        "visit": visit,
        "due": scheduled.on,
        "late": late,
        "outcome": found,
        "outcome_label": rules.OUTCOMES[found],
    }
