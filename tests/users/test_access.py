"""Who may do what, and who sees which leads and cases (`users.access`), as tables; then the
same rules at work in the services on real stores (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from shujian import audit
from shujian.cases import deadlines, stats
from shujian.cases.recommendations import issue_recommendation, list_recommendations
from shujian.cases.service import case_scope, get_case, list_cases, open_case, transition
from shujian.cases.store import cases
from shujian.errors import UserError
from shujian.leads import triage
from shujian.leads.queue import homes, lead_refs, lead_scope, queue
from shujian.leads.store import lead_dispatches, leads, runs
from shujian.models.spec import load_library
from shujian.store import now
from shujian.users import SYSTEM, Departments, User
from shujian.users.access import (
    CaseRef,
    LeadRef,
    RecommendationRef,
    Scope,
    actions,
    can,
    missing_or_hidden,
    require,
    scope_of,
    visible,
)
from shujian.users.user import platform_roles, role_id, roles
from shujian.workspace import Workspace, init_workspace

P = "青岚县人民检察院"
JUV, PUB = "未成年人检察部", "公益诉讼检察部"

# --- the model: roles × actions, roles × scopes ------------------------------------------------

ACTIONS = (
    "view_leads", "dispatch", "triage", "open_case", "view_cases", "act_on_case",
    "issue_document", "record_reply", "view_stats", "export", "reveal_id", "manage_users",
    "manage_settings", "view_audit", "verify_audit", "run_models", "import_data", "view_minors",
    "record_visit", "supervise_minors", "juvenile_work", "view_sealed", "handle_sealing",
    "view_petitions", "handle_petitions",
)  # fmt: skip

MAY = {
    #                view disp tri  open vcas act  doc  rep  stat exp  rev  usr  set  aud  ver  run  imp  min  vis  sup  juv  sea  hsl  vpe  hpe
    "admin":           (0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   1,   1,   1,   1,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0),
    "chief":           (1,   0,   0,   0,   1,   0,   0,   0,   1,   1,   0,   0,   0,   1,   1,   0,   0,   1,   0,   0,   0,   0,   0,   1,   0),
    "department_head": (1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   0,   0,   0,   0,   1,   1,   1,   0,   1,   1,   1,   1,   1,   1),
    "prosecutor":      (1,   0,   1,   1,   1,   1,   1,   1,   1,   1,   1,   0,   0,   0,   0,   1,   1,   1,   0,   1,   1,   0,   0,   1,   1),
    "assistant":       (1,   0,   1,   1,   1,   1,   0,   1,   1,   1,   1,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   1,   1),
    "helper":          (0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   1,   1,   0,   0,   0,   0,   0,   0),
    "system":          (1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1),
    "single_user":     (1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1),
}  # fmt: skip

SCOPES = {
    "admin": "none",
    "chief": "procuratorate",
    "department_head": "department",
    "prosecutor": "own",
    "assistant": "assigned",
    "helper": "records",
    "system": "procuratorate",
    "single_user": "procuratorate",
}


def one(role: str, department: str | None = PUB) -> User:
    return User(f"某{role}", P, department, frozenset({role}))


def test_the_table_covers_every_declared_role_and_action() -> None:
    assert tuple(actions()) == ACTIONS
    assert set(MAY) == set(roles()) | set(platform_roles()) == set(SCOPES)


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [(r, a, bool(row[i])) for r, row in MAY.items() for i, a in enumerate(ACTIONS)],
)
def test_each_role_may_take_exactly_its_declared_actions(
    role: str, action: str, allowed: bool
) -> None:
    assert can(one(role), action) is allowed


@pytest.mark.parametrize(("role", "scope"), list(SCOPES.items()))
def test_each_role_has_its_scope(role: str, scope: str) -> None:
    assert scope_of(one(role)).kind == scope


def test_several_roles_take_any_of_their_actions_within_the_widest_scope() -> None:
    both = User("甲", P, PUB, frozenset({"assistant", "chief"}))
    assert scope_of(both).kind == "procuratorate"
    assert can(both, "act_on_case") and can(both, "view_audit") and not can(both, "dispatch")
    assert scope_of(User("无角色", P)).kind == "none"


def test_a_refusal_names_the_role_and_the_action_in_chinese() -> None:
    with pytest.raises(UserError) as refused:
        require(User("钱助理", P, PUB, frozenset({"assistant"})), "issue_document")
    assert refused.value.code == "forbidden"
    assert "“钱助理”（检察官助理）无权制发文书" in refused.value.message


def test_院领导_is_the_stored_id_chief_and_its_former_label_still_names_it() -> None:
    assert roles()["chief"] == "院领导（检察长、副检察长）"
    assert {role_id("检察长"), role_id("院领导（检察长、副检察长）"), role_id("chief")} == {"chief"}
    with pytest.raises(UserError, match="没有“system”这一角色"):
        role_id("system")  # the platform's roles are never granted


ASSIGNED_TO_ME = LeadRef(1, PUB, "我")
OTHER_IN_DEPT = LeadRef(2, PUB, "他")
WAITING_IN_DEPT = LeadRef(3, None, None, home=PUB)
OTHER_DEPT = LeadRef(4, JUV, "他")
WAITING_ELSEWHERE = LeadRef(5, None, None, home=JUV)
MINE_ELSEWHERE = LeadRef(6, JUV, "我")
MY_CASE = CaseRef(1, PUB, "我")
DEPT_CASE = CaseRef(2, PUB, "他")
OTHER_CASE = CaseRef(3, JUV, "他")
OBJECTS = (
    ASSIGNED_TO_ME, OTHER_IN_DEPT, WAITING_IN_DEPT, OTHER_DEPT, WAITING_ELSEWHERE,
    MINE_ELSEWHERE, MY_CASE, DEPT_CASE, OTHER_CASE, RecommendationRef("青检公建〔2026〕1号", MY_CASE),
    RecommendationRef("青检公建〔2026〕2号", OTHER_CASE),
)  # fmt: skip
SEES = {
    "procuratorate": (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
    "department":    (1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0),
    "own":           (1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0),
    "assigned":      (1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0),
    "records":       (0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1),  # granted: lead 4 and case 3
    "none":          (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "obj", "seen"),
    [(k, o, bool(row[i])) for k, row in SEES.items() for i, o in enumerate(OBJECTS)],
)
def test_what_each_scope_sees(kind: Any, obj: Any, seen: bool) -> None:
    grants = frozenset({("lead", "4"), ("case", "3")})
    scope = Scope(kind, P, PUB, None if kind in ("procuratorate", "department") else "我", grants)
    assert visible(scope, obj) is seen


def test_a_bulk_refusal_names_the_first_ids_and_how_many() -> None:
    refused = missing_or_hidden("lead", range(1, 2401))
    assert refused.message == f"找不到线索 {'、'.join(map(str, range(1, 21)))}等 2400 条。"
    assert missing_or_hidden("lead", [3, 5]).message == "找不到线索 3、5。"


def test_a_department_scope_without_a_department_sees_nothing() -> None:
    assert not visible(Scope("department", P, None), WAITING_ELSEWHERE)
    assert not visible(Scope("department", P, None), LeadRef(7, None, None, None))


# --- on real stores -----------------------------------------------------------------------------

ADMIN = User("管理员", P, None, frozenset({"admin"}))
CHIEF = User("赵检察长", P, None, frozenset({"chief"}))
HEAD = User("李部长", P, PUB, frozenset({"department_head"}))
ZHANG = User("张检察官", P, PUB, frozenset({"prosecutor"}))
SUN = User("孙检察官", P, PUB, frozenset({"prosecutor"}))
QIAN = User("钱助理", P, PUB, frozenset({"assistant"}))
JUV_HEAD = User("周部长", P, JUV, frozenset({"department_head"}))
EVERYONE = (ADMIN, CHIEF, HEAD, ZHANG, SUN, QIAN, JUV_HEAD)
HOME = homes(load_library(), Departments.bundled())
DAY = dt.date(2026, 3, 2)


def _insert_leads(store: Engine, model_id: str, n: int) -> list[int]:
    stamp = now()
    with store.begin() as conn:
        run_id = conn.execute(
            insert(runs).values(started_at=stamp, as_of=DAY, engine="duckdb", models=[model_id])
        ).inserted_primary_key[0]
        conn.execute(
            insert(leads),
            [
                {
                    "model_id": model_id,
                    "subject": f"{model_id}-{i}",
                    "title": f"{model_id} 第{i}条",
                    "status": "new",
                    "active": True,
                    "evidence": [],
                    "evidence_hash": f"h{i}",
                    "evidence_rows": 1,
                    "parameters": {},
                    "batches": {},
                    "first_run_id": run_id,
                    "last_run_id": run_id,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                for i in range(n)
            ],
        )
        return list(
            conn.execute(
                select(leads.c.id).where(leads.c.model_id == model_id).order_by(leads.c.id)
            ).scalars()
        )


class County:
    """Five leads waiting in 未成年人检察部 (campus.internet_cafe), seven in 公益诉讼检察部
    (soil.fee_unpaid): two dispatched to the assistant 钱助理, one to 张检察官 and opened by him
    as his case, one opened by the head as 孙检察官's case, three waiting."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        store = ws.store
        self.juv = _insert_leads(store, "campus.internet_cafe", 5)
        self.pub = _insert_leads(store, "soil.fee_unpaid", 7)
        a, b, c, d, *_ = self.pub
        triage.dispatch(store, [a, b], PUB, QIAN.name, HEAD, home=HOME)
        triage.dispatch(store, [c], PUB, ZHANG.name, HEAD, home=HOME)
        self.zhang_case = open_case(store, [c], PUB, ZHANG.name, ZHANG, "成案", DAY, home=HOME)
        self.sun_case = open_case(store, [d], PUB, SUN.name, HEAD, "成案", DAY, home=HOME)
        self.assigned = [a, b]


@pytest.fixture(params=["sqlite", "postgresql"])
def county(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch) -> County:  # type: ignore[no-untyped-def]
    if request.param == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = init_workspace(tmp_path / "ws")
    assert ws.store.dialect.name == request.param
    return County(ws)


def _refusal(call: Any) -> UserError:
    with pytest.raises(UserError) as refused:
        call()
    return refused.value


def test_another_departments_lead_is_not_found_exactly_like_a_missing_one(county: County) -> None:
    store = county.ws.store
    get = triage.get_lead
    hidden = _refusal(lambda: get(store, county.juv[0], QIAN, home=HOME))
    missing = _refusal(lambda: get(store, 99999, QIAN, home=HOME))
    assert (hidden.code, missing.code) == ("not_found", "not_found")
    assert hidden.message.replace(str(county.juv[0]), "N") == missing.message.replace("99999", "N")
    assert hidden.message == f"找不到线索 {county.juv[0]}。"
    # an assistant's own department's lead that is not theirs is not found either
    unassigned = county.pub[-1]
    assert _refusal(lambda: get(store, unassigned, QIAN, home=HOME)).code == "not_found"
    assert get(store, county.assigned[0], QIAN, home=HOME)["id"] == county.assigned[0]


def test_a_department_head_lists_only_the_departments_leads_and_the_pages_add_up(
    county: County,
) -> None:
    store = county.ws.store
    pages = [queue(store, HEAD, status=None, home=HOME, offset=o, limit=3) for o in (0, 3, 6)]
    assert [p.total for p in pages] == [7, 7, 7]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert sorted(r["id"] for p in pages for r in p) == county.pub
    assert {r["department"] for p in pages for r in p} == {PUB}
    # a filter naming another department narrows the scope, it never widens it
    assert queue(store, HEAD, status=None, department=JUV, home=HOME, limit=3).total == 0
    assert queue(store, JUV_HEAD, status=None, home=HOME, limit=3).total == 5


def test_院领导_sees_everything_and_cannot_dispatch_or_act(county: County) -> None:
    store = county.ws.store
    assert queue(store, CHIEF, status=None, home=HOME, limit=5).total == 12
    assert len(list_cases(store, CHIEF)) == 2
    assert get_case(store, county.sun_case, CHIEF)["prosecutor"] == SUN.name
    waiting = county.juv[0]
    refused = _refusal(lambda: triage.dispatch(store, [waiting], JUV, "王检察官", CHIEF, home=HOME))
    assert (
        refused.code == "forbidden"
        and "院领导" in refused.message
        and "分派线索" in refused.message
    )
    refused = _refusal(lambda: transition(store, county.sun_case, "investigate", CHIEF, "", DAY))
    assert refused.code == "forbidden"


def test_the_administrator_manages_accounts_and_sees_no_lead_or_case(county: County) -> None:
    store = county.ws.store
    for call in (
        lambda: queue(store, ADMIN, home=HOME),
        lambda: triage.get_lead(store, county.pub[0], ADMIN, home=HOME),
        lambda: list_cases(store, ADMIN),
        lambda: get_case(store, county.zhang_case, ADMIN),
        lambda: stats.statistics(store, "department", home=HOME, user=ADMIN),
    ):
        assert _refusal(call).code == "forbidden"
    assert audit.query(store, user=ADMIN, action="dispatch")
    assert audit.verify(store, user=ADMIN).ok
    assert _refusal(lambda: audit.query(store, user=ZHANG)).code == "forbidden"


def test_a_prosecutor_sees_the_departments_queue_and_only_their_own_cases(county: County) -> None:
    store = county.ws.store
    assert sorted(r["id"] for r in queue(store, ZHANG, status=None, home=HOME)) == county.pub
    assert [c["id"] for c in list_cases(store, ZHANG)] == [county.zhang_case]
    hidden = _refusal(lambda: get_case(store, county.sun_case, ZHANG))
    missing = _refusal(lambda: get_case(store, 424242, ZHANG))
    assert (hidden.code, missing.code) == ("not_found", "not_found")
    assert hidden.message == f"找不到案件 {county.sun_case}。"
    # nor may they act on it
    assert (
        _refusal(lambda: transition(store, county.sun_case, "investigate", ZHANG, "", DAY)).message
        == f"找不到案件 {county.sun_case}。"
    )
    assert transition(store, county.zhang_case, "investigate", ZHANG, "", DAY) == "investigating"
    assert list_recommendations(store, user=ZHANG) == []


def test_an_assistant_triages_only_what_is_assigned_and_issues_no_document(county: County) -> None:
    store = county.ws.store
    waiting = county.pub[-1]
    assert sorted(r["id"] for r in queue(store, QIAN, status=None, home=HOME)) == county.assigned
    assert (
        _refusal(lambda: triage.dismiss(store, [waiting], "其他", QIAN, note="无", home=HOME)).code
        == "not_found"
    )
    assert triage.dismiss(store, [county.assigned[0]], "其他", QIAN, note="已整改", home=HOME) == 1
    refused = _refusal(
        lambda: issue_recommendation(county.ws, {}, county.zhang_case, QIAN, DAY, "某局")
    )
    assert refused.code == "forbidden" and "检察官助理" in refused.message
    assert list_cases(store, QIAN) == []


def test_statistics_of_a_department_head_are_of_their_department_only(county: County) -> None:
    store = county.ws.store
    by_department = {
        r["key"]: r["leads"] for r in stats.statistics(store, "department", home=HOME, user=HEAD)
    }
    assert by_department == {PUB: 7, "合计": 7}
    everything = stats.statistics(store, "department", home=HOME, user=CHIEF)
    assert {r["key"]: r["leads"] for r in everything} == {JUV: 5, PUB: 7, "合计": 12}
    zhang = stats.statistics(store, "model", home=HOME, user=ZHANG)[-1]
    assert (zhang["leads"], zhang["cases"]) == (7, 1)  # the department's leads, his own case


def test_every_list_shows_what_visible_allows_for_every_user(county: County) -> None:
    """The SQL conditions (`lead_scope`, `case_scope`) and the pure rule (`visible`) agree."""
    store = county.ws.store
    with store.connect() as conn:
        all_leads = lead_refs(conn, county.juv + county.pub, HOME)
        all_cases = {
            r.id: CaseRef(r.id, r.department, r.prosecutor) for r in conn.execute(select(cases))
        }
    for user in EVERYONE:
        scope = scope_of(user)
        with store.connect() as conn:
            lead_query = select(leads.c.id).select_from(leads.outerjoin(lead_dispatches))
            case_query = select(cases.c.id)
            if (cond := lead_scope(scope, HOME)) is not None:
                lead_query = lead_query.where(cond)
            if (cond := case_scope(scope)) is not None:
                case_query = case_query.where(cond)
            listed_leads = set(conn.execute(lead_query).scalars())
            listed_cases = set(conn.execute(case_query).scalars())
        assert listed_leads == {i for i, r in all_leads.items() if visible(scope, r)}, user.name
        assert listed_cases == {i for i, r in all_cases.items() if visible(scope, r)}, user.name


def test_a_scope_of_single_records_lists_only_what_was_granted(county: County) -> None:
    """The hook for roles that see single records (a helping unit's caseworker): no service
    changes, the grants travel with the user."""
    store = county.ws.store
    granted = frozenset({("lead", str(county.juv[1])), ("case", str(county.sun_case))})
    scope = Scope("records", P, None, None, granted)
    with store.connect() as conn:
        query = select(leads.c.id).select_from(leads.outerjoin(lead_dispatches))
        assert list(conn.execute(query.where(lead_scope(scope, HOME))).scalars()) == [county.juv[1]]
        cond = case_scope(scope)
        assert list(conn.execute(select(cases.c.id).where(cond)).scalars()) == [county.sun_case]


def test_the_platform_and_a_single_user_workspace_see_and_do_everything(county: County) -> None:
    store = county.ws.store
    assert queue(store, SYSTEM, status=None, home=HOME, limit=1).total == 12
    alone = User("任何人", P, None, frozenset({"single_user"}))
    assert queue(store, alone, status=None, home={}, limit=1).total == 12
    assert len(list_cases(store, alone)) == 2


def test_on_the_command_line_an_assistant_cannot_tell_a_hidden_lead_from_a_missing_one(
    tmp_path: Path, fixture_csvs
) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from shujian.cli.main import cli

    root = tmp_path / "ws"

    def shujian(*args: str, user: str, code: int = 0) -> str:
        result = CliRunner().invoke(cli, ["-w", str(root), "-u", user, *args])
        assert result.exit_code == code, result.output
        return result.output

    init = ["init", str(root), "--county", "青岚县", "--procuratorate", P]
    assert CliRunner().invoke(cli, init).exit_code == 0
    for dataset, path in fixture_csvs("campus.internet_cafe", tmp_path).items():
        shujian("import", dataset, str(path), "--agency", "青岚县教育局", user="管理员")
    shujian("run", "campus.internet_cafe", "--as-of", "2026-06-01", user="管理员")
    shujian("users", "add", "管理员", "--role", "系统管理员", user="管理员")
    for name, department, role in (
        ("钱助理", PUB, "检察官助理"),
        ("周部长", JUV, "部门负责人"),
        ("赵检察长", None, "检察长"),  # the former label still names 院领导
    ):
        where = ["--department", department] if department else []
        shujian("users", "add", name, *where, "--role", role, user="管理员")
    assert "院领导（检察长、副检察长）" in shujian("users", "list", user="管理员")
    assert "共 2 条" in shujian("leads", "list", user="周部长")
    assert "共 2 条" in shujian("leads", "list", user="赵检察长")
    hidden = shujian("leads", "show", "1", user="钱助理", code=2)
    missing = shujian("leads", "show", "999", user="钱助理", code=2)
    assert hidden.replace("1", "N") == missing.replace("999", "N")
    assert "找不到线索 1。" in hidden
    assert "没有符合条件的线索" in shujian("leads", "list", user="钱助理")
    refused = shujian("leads", "list", user="管理员", code=2)
    assert "“管理员”（系统管理员）无权查看线索" in refused
    assert "无权查看审计日志" in shujian("audit", "log", user="钱助理", code=2)
    assert "审计日志完整" in shujian("audit", "verify", user="管理员")


def test_deadline_lists_keep_to_the_users_scope(county: County) -> None:
    """`cases overdue` and `cases due` listed every case whoever asked."""
    store = county.ws.store
    late = DAY + dt.timedelta(days=90)  # both cases' investigation period (two months) is over

    def overdue(user: User) -> set[int]:
        return {r["id"] for r in deadlines.overdue(store, late, user=user)}

    def due(user: User) -> set[int]:
        return {r["id"] for r in deadlines.due_soon(store, DAY, 90, user=user)}

    both = {county.zhang_case, county.sun_case}
    assert overdue(HEAD) == overdue(CHIEF) == due(HEAD) == both
    assert overdue(ZHANG) == due(ZHANG) == {county.zhang_case}
    assert overdue(SUN) == {county.sun_case}
    assert overdue(JUV_HEAD) == due(JUV_HEAD) == set()
    assert overdue(ADMIN) == set()
    assert {r["id"] for r in deadlines.overdue(store, late)} == both  # internal use: all
