"""Authoring a procuratorate's own model: a model file and its fixture, nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from shujian.errors import UserError

MODEL_TEMPLATE = """\
# 自建监督模型。填写各项后运行：shujian models validate {path}
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
