"""Parameters in force for a model: its declared defaults, overridden per region.

Every value carries where it comes from — the model's own source for a default, the
procuratorate's document for an override — so a lead can say which rule and which figure
produced it, and `shujian models show` can print the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shujian.errors import UserError
from shujian.models.spec import ModelSpec
from shujian.settings import toml_value
from shujian.workspace import Override


@dataclass(frozen=True)
class ParameterInForce:
    name: str
    label: str
    value: Any
    default: Any
    source: str
    overridden: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "value": self.value,
            "default": self.default,
            "source": self.source,
            "overridden": self.overridden,
        }


def parameters_in_force(
    spec: ModelSpec, overrides: Iterable[Override]
) -> dict[str, ParameterInForce]:
    result = {
        p.name: ParameterInForce(
            name=p.name,
            label=p.label,
            value=p.default,
            default=p.default,
            source=f"默认值：{p.source}" if p.source else "默认值",
            overridden=False,
        )
        for p in spec.parameters
    }
    for o in overrides:
        if o.model != spec.id:
            continue
        if o.parameter not in result:
            raise UserError(
                f"配置中对模型 {spec.id} 的参数调整“{o.parameter}”无效：该模型没有这个参数"
                f"（可调整：{'、'.join(result) or '无'}）。"
            )
        current = result[o.parameter]
        if problem := _mismatch(current.default, o.value):
            raise UserError(
                f"配置文件中对模型 {spec.id} 参数 {o.parameter}（{current.label}）的调整无效："
                f"{problem}。\n{o.toml()}",
                code="bad_override",
            )
        result[o.parameter] = ParameterInForce(
            name=current.name,
            label=current.label,
            value=o.value,
            default=current.default,
            source=f"地方调整：{o.source}",
            overridden=True,
        )
    return result


def _kind(value: Any) -> str:
    """The kind of a parameter value, in the words of shujian.toml."""
    if isinstance(value, bool):
        return "是/否（true 或 false）"
    if isinstance(value, int):
        return "整数（不加引号）"
    if isinstance(value, float):
        return "数字（不加引号）"
    if isinstance(value, str):
        return "文字（加英文双引号）"
    if isinstance(value, list):
        return "列表"
    return type(value).__name__


def _fits(default: Any, value: Any) -> bool:
    """Whether `value` may stand where the model's query expects `default`'s type."""
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and (
            isinstance(default, float) or isinstance(value, int)
        )
    if isinstance(default, list):
        return isinstance(value, list) and (not default or all(_fits(default[0], v) for v in value))
    return isinstance(value, type(default))


def _mismatch(default: Any, value: Any) -> str:
    """Why `value` cannot replace `default`, or "" when it can.

    The query compares the parameter with data, so a value of another type (a distance written
    as "二百") would fail deep in the engine, in English, long after the administrator wrote it;
    the model's default says what type the query expects."""
    if _fits(default, value):
        return ""
    if isinstance(default, list) and isinstance(value, list) and default:
        wrong = next(v for v in value if not _fits(default[0], v))
        return (
            f"列表中的每一项应为{_kind(default[0])}，如默认值 {toml_value(default)}；"
            f"其中 {toml_value(wrong)} 是{_kind(wrong)}"
        )
    return (
        f"value 应为{_kind(default)}，如默认值 {toml_value(default)}；"
        f"收到的 {toml_value(value)} 是{_kind(value)}"
    )
