"""Click's texts are all in the catalogue, and a model author's typo is named in Chinese."""

from __future__ import annotations

import ast
import dataclasses
import inspect

import pytest

from helpers import CAFE, LIBRARY
from shujian.cli import chinese
from shujian.data.datasets import load_datasets
from shujian.models.checks import check_model


def click_texts() -> list[tuple[str, str]]:
    """(function, literal text) of every gettext call in the click modules the catalogue binds."""
    found = []
    for module in chinese.CLICK_MODULES:
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "ngettext")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.append((node.func.id, node.args[0].value))
    return found


@pytest.mark.parametrize("function, text", click_texts())
def test_every_text_click_translates_is_in_the_catalogue(function: str, text: str):
    """A click upgrade that adds a message fails here rather than in front of a user."""
    catalogue = chinese.CATALOGUE if function == "_" else chinese.PLURALS
    assert text in catalogue


def test_a_misspelt_column_is_named_with_the_declared_one_it_resembles():
    spec = LIBRARY[CAFE]
    typo = dataclasses.replace(spec, query=spec.query.replace("v.address AS", "v.adress AS"))
    problems = check_model(typo, load_datasets())
    assert problems == ["查询中的列无法对应到数据集的字段：找不到列 adress，是否想写 address？"]


def test_chinese_lines_wrap_by_terminal_columns():
    lines = chinese.wrap("操作人（记入审计日志；默认：环境变量 SHUJIAN_USER，否则登录名）", 30)
    assert all(chinese.width(line) <= 30 for line in lines)
    assert "SHUJIAN_USER" in "".join(lines)  # a Latin word is never cut
