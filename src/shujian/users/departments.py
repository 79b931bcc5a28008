"""The departments of a procuratorate, declared in one place and checked wherever one is given.

A department name is free text in the store (a case's, a dispatch's, an account's): a typo such
as 公益诉讼部 would make a case invisible in its department's lists and statistics. So every
department a service is given is checked against the workspace's list — the bundled standard
names, or the procuratorate's own list in shujian.toml — and refused, in Chinese, naming the
allowed ones. Filters on lists are not checked: old records may carry a name the list no longer
has, and must stay findable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shujian.errors import UserError
from shujian.users.user import standard_departments

if TYPE_CHECKING:
    from shujian.workspace import Workspace


@dataclass(frozen=True)
class Departments:
    """A procuratorate's departments, and where a model's standard department name leads."""

    names: tuple[str, ...]
    mapping: Mapping[str, str] = field(default_factory=dict, hash=False)
    """Standard name (as models declare it) → the procuratorate's own department."""

    @classmethod
    def bundled(cls) -> Departments:
        """The standard names, each its own department (a workspace that sets nothing)."""
        return cls(standard_departments())

    def check(self, name: str | None, what: str = "部门") -> str:
        """The name, stripped, if it is one of the departments; refused in Chinese otherwise."""
        text = (name or "").strip()
        if not text:
            raise UserError(f"{what}不能为空。", code="missing_department")
        if text not in self.names:
            raise UserError(
                f"“{text}”不是本院的部门。本院的部门：{'、'.join(self.names)}"
                "（部门清单在工作区配置文件 shujian.toml 的 [departments] 中设置）。",
                code="unknown_department",
            )
        return text


def departments_of(ws: Workspace) -> Departments:
    """The workspace's departments: its [departments] list when set, else the bundled one.

    The mapping must lead from standard names to listed departments, so that a typo on either
    side is refused when the workspace is opened by a command, not when a lead goes missing.
    """
    names = ws.setting("departments.names")
    mapping = dict(ws.setting("departments.mapping") or {})
    where = f"配置文件 {ws.root / 'shujian.toml'} 的 [departments] 中"
    if names is None:
        listed = standard_departments()
    else:
        listed = tuple(n.strip() for n in names)
        if not listed or any(not n for n in listed):
            raise UserError(f"{where}names 不能为空，也不能含空的部门名称。")
        if len(set(listed)) != len(listed):
            raise UserError(f"{where}names 有重复的部门名称。")
    standard = standard_departments()
    for source, target in mapping.items():
        if source not in standard:
            raise UserError(
                f"{where}mapping 的“{source}”不是模型使用的标准部门名称。"
                f"标准部门名称：{'、'.join(standard)}。"
            )
        if target not in listed:
            raise UserError(
                f"{where}mapping 把“{source}”对应到“{target}”，但本院的部门清单中没有它。"
                f"本院的部门：{'、'.join(listed)}。"
            )
    return Departments(listed, mapping)
