"""Who acts: a `User` of one procuratorate, with a department and roles.

Services take a `User`, not a name, so that what a user may see and do (scoped to their
procuratorate and department, by role) can be decided where the data is, not by each caller.
What is stored — actor columns, audit entries — stays the user's name: history must read the
same whoever later renames a department or changes a role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from shujian import yamlfile
from shujian.errors import UserError

DECLARATIONS = Path(__file__).with_name("declarations.yaml")


@lru_cache(maxsize=1)
def _declared() -> dict[str, object]:
    raw: dict[str, object] = yamlfile.load(DECLARATIONS.read_text(encoding="utf-8"))
    return raw


def roles() -> dict[str, str]:
    """Role id → Chinese label, in declared order."""
    declared = _declared()["roles"]
    assert isinstance(declared, dict)
    return {str(k): str(v) for k, v in declared.items()}


def standard_departments() -> tuple[str, ...]:
    """The department names the shipped models declare, and a workspace's default list."""
    declared = _declared()["standard_departments"]
    assert isinstance(declared, list)
    return tuple(str(d) for d in declared)


def platform_roles() -> dict[str, str]:
    """Roles of who acts without an account (the platform, a single-user workspace's user): id →
    Chinese label. Never granted to an account."""
    declared = _declared()["platform_roles"]
    assert isinstance(declared, dict)
    return {str(k): str(v) for k, v in declared.items()}


def former_labels() -> dict[str, str]:
    """A label a role had before (检察长) → its id, still accepted where a role is typed."""
    declared = _declared().get("former_labels") or {}
    assert isinstance(declared, dict)
    return {str(label): str(rid) for rid, labels in declared.items() for label in labels}


def role_id(text: str) -> str:
    """A role as a user types it (id, Chinese label or a former label) → its id; refused in
    Chinese if unknown."""
    text = text.strip()
    for rid, label in roles().items():
        if text in (rid, label):
            return rid
    if text in former_labels():
        return former_labels()[text]
    allowed = "、".join(f"{label}（{rid}）" for rid, label in roles().items())
    raise UserError(f"没有“{text}”这一角色。可选：{allowed}。", code="unknown_role")


@dataclass(frozen=True)
class User:
    """One person (or the system) acting in a procuratorate's workspace."""

    name: str
    procuratorate: str
    department: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    grants: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    """Records granted one by one, as (object type, object id): what a role of scope `records`
    sees (see `users.access`); empty for every other role."""
    unit: str | None = None
    """The helping unit (包保单位) a `helper` account works for; None for everyone else."""

    def __post_init__(self) -> None:
        if not self.name or not self.name.strip() or self.name != self.name.strip():
            raise UserError("操作人姓名不能为空，也不能以空格开头或结尾。", code="bad_user")
        unknown = sorted(self.roles - set(roles()) - set(platform_roles()))
        if unknown:
            raise ValueError(f"unknown roles {unknown}")

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def role_labels(self) -> str:
        names = {**roles(), **platform_roles()}
        return "、".join(names[r] for r in names if r in self.roles) or "—"


SYSTEM = User("system", procuratorate="", department=None, roles=frozenset({"system"}))
"""The platform itself (model runs, the demonstration): the name the stores have always recorded
for runs; it may do everything (`users.access`)."""
