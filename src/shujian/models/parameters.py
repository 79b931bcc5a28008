"""Parameters in force for a model: its declared defaults, overridden per region.

Every value carries where it comes from — the model's own source for a default, the
procuratorate's document for an override — so a lead can say which rule and which figure
produced it, and `shujian models show` can print the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from shujian.data.fields.text import normalise_text
from shujian.errors import UserError
from shujian.models.spec import ModelSpec
from shujian.settings import toml_value
from shujian.workspace import Addition, Override


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
    spec: ModelSpec, overrides: Iterable[Override], additions: Iterable[Addition] = ()
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
    for a in additions:
        if a.parameter in result:
            result[a.parameter] = _added(spec, result[a.parameter], a)
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


def _added(spec: ModelSpec, current: ParameterInForce, addition: Addition) -> ParameterInForce:
    """The list with one more item, compared as the cells it meets are stored.

    Cells are normalised on import (full-width → half-width, traditional → simplified), so the
    item is normalised the same way; spaces are dropped as the models that compare exact words
    drop them from the cell (a space typed in a 违法类型 is not part of the word).
    """
    if not isinstance(current.value, list):
        raise UserError(
            f"配置中的参数增补“{addition.parameter}”无效：模型 {spec.id} 的这个参数不是列表，"
            "只能用参数调整（overrides）改写。"
        )
    word = str(normalise_text(pl.Series([addition.value]))[0] or "").replace(" ", "")
    if not word:
        raise UserError(f"配置中对参数 {addition.parameter} 的增补是空的。")
    if word in current.value:
        return current
    return ParameterInForce(
        name=current.name,
        label=current.label,
        value=[*current.value, word],
        default=current.default,
        source=f"{current.source}；地方增补“{word}”：{addition.source}",
        overridden=True,
    )


def check_additions(library: Iterable[ModelSpec], additions: Iterable[Addition]) -> None:
    """An addition to a parameter no model declares is a typo that would change nothing."""
    declared = {p.name for spec in library for p in spec.parameters}
    for a in additions:
        if a.parameter not in declared:
            raise UserError(
                f"配置中的参数增补“{a.parameter}”无效：没有模型声明这个参数。",
                code="unknown_setting",
            )
