"""Authoring a procuratorate's own model: a model file and its fixture, nothing else.

`shujian models new` writes both from the templates below. The model template is a valid model
(so the author can validate it at once and see the shape of a working query), which is exactly
why an unedited one must never run: `template_leftovers` finds every value still as the template
wrote it, by comparing with the template itself, so it cannot go stale when the template changes
and a model the author has really written is never taken for one.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from shujian import yamlfile
from shujian.errors import UserError
from shujian.models.spec import ModelSpec

MODEL_TEMPLATE = """\
# 自建监督模型。把各项改成本模型的内容，并填写测试样例，然后运行：
#   shujian models validate {path}
#   shujian models test {path}
id: {id}
name: 请填写模型名称
category: [行政]            # 刑事 / 民事 / 行政 / 公益诉讼 / 未检，可填多个
department: 行政检察部
supervision_point: 请填写监督点（被监督单位应履行的法定职责）
description: >
  请说明本模型比对哪些数据、找出什么情况。
legal_basis:
  - law: 请填写法律法规名称（不带书名号）
    article: 第X条        # 条文未经核实时留空，并把 tag 写为 U
    tag: U                # V 已核实 / S 二手来源 / U 未确认
    text: 请摘录条文内容
datasets: [venues]          # 查询读取的数据集
subject: {{column: subject_uscc, dataset: venues, label: 统一社会信用代码}}
parameters:
  example_threshold:
    default: 100
    label: 示例参数
    source: 参数依据
title: "{{venue_name}}：请填写线索标题模板"
evidence: [venue_name, subject_uscc]
trace: {{venues: venue_batch}}
query: |
  SELECT name AS venue_name, uscc AS subject_uscc, _batch AS venue_batch
  FROM venues
  WHERE venue_type = '其他'
"""

FIXTURE_TEMPLATE = """\
# 模型 {id} 的测试样例：每个数据集写几行（用中文表头），列出应当命中和不应命中的监督对象。
model: {id}
as_of: 2026-01-01
datasets:
  venues:
    - {{场所名称: 示例场所甲, 统一社会信用代码: 91520203MA6H1X0A1X, 场所类型: 其他, 经度: 105.48, 纬度: 26.21}}
expect:
  leads: []
  not_leads: []
"""


def new_model(models_dir: Path, model_id: str) -> tuple[Path, Path]:
    if not re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+", model_id):
        raise UserError(f"模型编号“{model_id}”格式不对：应为“领域.名称”，如 local.tattoo_signs。")
    models_dir.mkdir(parents=True, exist_ok=True)
    model_path = models_dir / f"{model_id}.yaml"
    fixture_path = models_dir / f"{model_id}.fixture.yaml"
    if model_path.exists():
        raise UserError(f"{model_path} 已存在。")
    model_path.write_text(MODEL_TEMPLATE.format(id=model_id, path=model_path), encoding="utf-8")
    fixture_path.write_text(FIXTURE_TEMPLATE.format(id=model_id), encoding="utf-8")
    return model_path, fixture_path


_TEMPLATE_ID = "local.template"


@cache
def _template() -> dict[str, Any]:
    raw: dict[str, Any] = yamlfile.load(MODEL_TEMPLATE.format(id=_TEMPLATE_ID, path="FILE"))
    return raw


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def template_leftovers(spec: ModelSpec) -> list[str]:
    """Each part of the model still as `shujian models new` wrote it, and what to write there.

    Only whole values equal to the template's count (a legal basis still named
    “请填写法律法规名称”, the example parameter, the example query); a real model sharing a
    word or a dataset with the template is not affected.
    """
    t = _template()
    out = []
    if _same_text(spec.name, t["name"]):
        out.append("name：写模型名称，如“文身店未设置禁止未成年人标志”。")
    if _same_text(spec.supervision_point, t["supervision_point"]):
        out.append("supervision_point：写监督点，即被监督单位应当履行、却没有履行的法定职责。")
    if _same_text(spec.description, t["description"]):
        out.append("description：说明比对哪些数据、找出什么情况、怎样判断。")
    basis = t["legal_basis"][0]
    for b in spec.legal_basis:
        if b.law == basis["law"] or _same_text(b.text, basis["text"]):
            out.append(
                "legal_basis：写法律依据的名称（law）和条文摘录（text）；"
                "条款号未经核实时 article 留空、tag 写 U。"
            )
            break
    for b in spec.legal_basis:
        if b.article == basis["article"]:
            out.append("legal_basis 的 article：写实际的条款号（如“第五十八条”），未经核实时留空。")
            break
    for name in t["parameters"]:
        if any(p.name == name for p in spec.parameters):
            out.append(
                f"parameters 中的示例参数 {name}：改成查询真正用到的参数"
                "（写明 default、label、source），或者删去。"
            )
    if _same_text(spec.title, t["title"]):
        out.append("title：写线索标题模板，花括号里是查询结果的列名或参数名。")
    if _same_text(spec.query, t["query"]):
        out.append(
            "query：模板中的示例查询只是列出“其他”类场所，请写出本模型真正的查询"
            "（subject、evidence、trace 随之改为查询结果的列）。"
        )
    return out


class UnfinishedModelError(UserError):
    """A model file still holding the template's placeholder values."""


def ensure_edited(spec: ModelSpec) -> None:
    """Refuse a model still holding template values, naming each one to edit."""
    leftovers = template_leftovers(spec)
    if leftovers:
        where = spec.path or spec.id
        raise UnfinishedModelError(
            f"模型 {spec.id} 还是新建模型时生成的模板，尚未填写完，不能检查、测试或运行。"
            f"请编辑 {where} 中的以下各项：\n- " + "\n- ".join(leftovers)
        )
