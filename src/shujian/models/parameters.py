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
        if isinstance(current.default, list) != isinstance(o.value, list):
            raise UserError(
                f"模型 {spec.id} 参数 {o.parameter} 的调整值类型与默认值不一致：{o.value!r}"
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
