"""Access: what a user may do (`can`, `require`) and which leads and cases they see (`Scope`).

Pure policy over the declarations in `declarations.yaml` (`access:`): each role has the actions
it may take and one scope. A user holding several roles may take any of their actions, within the
widest of their scopes. The scopes, widest first:

* `procuratorate` — every lead and case of the procuratorate (院领导, the platform itself);
* `department` — the leads and cases of the user's department (部门负责人);
* `own` — the department's leads (its queue) and the cases the user handles (检察官);
* `assigned` — the leads dispatched (分派) to the user and the cases they handle (检察官助理);
* `records` — only the records granted to the user one by one (`User.grants`: (object type,
  object id)), for roles that see single records — a helping unit's caseworker who sees only the
  minors assigned to them;
* `none` — no lead and no case at all (系统管理员).

Where a lead is: the department and prosecutor it is dispatched to, else — waiting in the queue —
its model's home department (`leads.queue.home_department`). A case is its department's and its
prosecutor's. `visible` decides for one object a service fetched; a service that lists applies
the same rule as a condition of its query (`leads.queue.lead_scope`, `cases.service.case_scope`),
so that a page and its total are right. An object outside the scope is answered exactly as one
that does not exist (`not_found`): its existence is not disclosed either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from shujian.errors import UserError
from shujian.users.user import User, _declared, platform_roles, roles

ScopeKind = Literal["procuratorate", "department", "own", "assigned", "records", "none"]

WIDEST_FIRST: tuple[ScopeKind, ...] = (
    "procuratorate",
    "department",
    "own",
    "assigned",
    "records",
    "none",
)


@dataclass(frozen=True)
class RoleAccess:
    scope: ScopeKind
    actions: frozenset[str]


@lru_cache(maxsize=1)
def actions() -> dict[str, str]:
    """Action id → Chinese label, in declared order."""
    declared = _declared()["actions"]
    assert isinstance(declared, dict)
    return {str(k): str(v) for k, v in declared.items()}


@lru_cache(maxsize=1)
def scope_labels() -> dict[str, str]:
    declared = _declared()["scopes"]
    assert isinstance(declared, dict)
    return {str(k): str(v) for k, v in declared.items()}


@lru_cache(maxsize=1)
def role_access() -> dict[str, RoleAccess]:
    """Role id (platform roles too) → its scope and actions, checked against the declarations."""
    declared = _declared()["access"]
    assert isinstance(declared, dict)
    known = actions()
    out: dict[str, RoleAccess] = {}
    for rid, spec in declared.items():
        scope = next((k for k in WIDEST_FIRST if k == spec["scope"]), None)
        if scope is None:
            raise ValueError(f"role {rid}: unknown scope {spec['scope']!r}")
        granted = frozenset(known) if spec["actions"] == "all" else frozenset(spec["actions"])
        if granted - set(known):
            raise ValueError(f"role {rid}: unknown actions {sorted(granted - set(known))}")
        out[str(rid)] = RoleAccess(scope, granted)
    missing = (set(roles()) | set(platform_roles())) - set(out)
    if missing:
        raise ValueError(f"roles without access declared: {sorted(missing)}")
    return out


def case_step_action(step: str, issues_document: bool = False) -> str:
    """The action a case step (a workflow transition) needs: issue_document for a step that
    issues a document, the declared one for a few steps (登记回复), else act_on_case."""
    if issues_document:
        return "issue_document"
    declared = _declared().get("case_steps") or {}
    assert isinstance(declared, dict)
    return str(declared.get(step, "act_on_case"))


def can(user: User, action: str) -> bool:
    """Whether any of the user's roles may take `action`."""
    if action not in actions():
        raise ValueError(f"unknown action {action!r}")
    table = role_access()
    return any(action in table[r].actions for r in user.roles if r in table)


def require(user: User, action: str) -> None:
    """Refuse, in Chinese naming the role and the action, what the user's roles may not do."""
    if not can(user, action):
        raise UserError(
            f"“{user.name}”（{user.role_labels}）无权{actions()[action]}。"
            "如确需办理，请联系系统管理员调整角色。",
            code="forbidden",
        )


@dataclass(frozen=True)
class Scope:
    """Which leads and cases a user sees: the widest scope of their roles, and what it rests on."""

    kind: ScopeKind
    procuratorate: str
    department: str | None = None
    """The user's department (`department` and `own` scopes rest on it)."""
    prosecutor: str | None = None
    """The user's name, for what is dispatched to them or handled by them (`own`, `assigned`)."""
    grants: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    """(object type, object id as text) granted one by one (`records` scope)."""

    @property
    def everything(self) -> bool:
        return self.kind == "procuratorate"

    @property
    def nothing(self) -> bool:
        """Whether nothing can be visible (no scope, or a scope whose ground is missing)."""
        if self.kind == "none":
            return True
        if self.kind == "department":
            return self.department is None
        if self.kind == "records":
            return not self.grants
        return False

    def granted(self, object_type: str) -> list[str]:
        """Ids of the records of one type granted (`records` scope)."""
        return sorted(i for t, i in self.grants if t == object_type)


def scope_of(user: User) -> Scope:
    """The user's scope: the widest of their roles' (no role: nothing)."""
    table = role_access()
    kinds = {table[r].scope for r in user.roles if r in table}
    kind: ScopeKind = next((k for k in WIDEST_FIRST if k in kinds), "none")
    return Scope(
        kind,
        user.procuratorate,
        user.department,
        user.name if kind in ("own", "assigned") else None,
        frozenset(user.grants) if kind == "records" else frozenset(),
    )


@dataclass(frozen=True)
class CaseRef:
    """What visibility needs to know of a case."""

    id: int
    department: str
    prosecutor: str


@dataclass(frozen=True)
class LeadRef:
    """What visibility needs to know of a lead: where it is (dispatch, else home department)."""

    id: int
    department: str | None = None
    """Dispatched to (None: not dispatched)."""
    prosecutor: str | None = None
    home: str | None = None
    """The home department of its model, where it waits while not dispatched."""

    @property
    def place(self) -> str | None:
        return self.department if self.department is not None else self.home


@dataclass(frozen=True)
class RecommendationRef:
    """A document issued in a case is seen by whoever sees its case."""

    number: str
    case: CaseRef


def visible(scope: Scope, obj: LeadRef | CaseRef | RecommendationRef) -> bool:
    """Whether `obj` is within `scope` (the rule `lead_scope` and `case_scope` put in SQL)."""
    if scope.everything:
        return True
    if scope.nothing:
        return False
    if isinstance(obj, RecommendationRef):
        return visible(scope, obj.case)
    if isinstance(obj, CaseRef):
        if scope.kind == "records":
            return ("case", str(obj.id)) in scope.grants
        if scope.kind == "department":
            return obj.department == scope.department
        return obj.prosecutor == scope.prosecutor
    if scope.kind == "records":
        return ("lead", str(obj.id)) in scope.grants
    if scope.kind == "assigned":
        return obj.prosecutor is not None and obj.prosecutor == scope.prosecutor
    if scope.kind == "own" and obj.prosecutor is not None and obj.prosecutor == scope.prosecutor:
        return True
    return scope.department is not None and obj.place == scope.department


NOT_FOUND_LABELS = {
    "lead": "线索",
    "case": "案件",
    "recommendation": "检察建议书",
    "sealed_record": "封存记录",
    "sealing_request": "查询申请",
}


def not_found(object_type: str, object_id: int | str) -> UserError:
    """The one answer for an object that does not exist or is outside the user's scope."""
    what = NOT_FOUND_LABELS[object_type]
    shown = (
        f"文号为“{object_id}”的{what}" if object_type == "recommendation" else f"{what} {object_id}"
    )
    return UserError(f"找不到{shown}。", code="not_found")


NAMED_AT_MOST = 20
"""Ids a refusal of a bulk request names (a request of thousands may miss thousands)."""


def missing_or_hidden(object_type: str, ids: Iterable[int]) -> UserError:
    """`not_found` for several ids at once (a bulk request naming some it may not touch)."""
    listed = list(ids)
    shown = "、".join(map(str, listed[:NAMED_AT_MOST]))
    if len(listed) > NAMED_AT_MOST:
        shown += f"等 {len(listed)} 条"
    return UserError(f"找不到{NOT_FOUND_LABELS[object_type]} {shown}。", code="not_found")
