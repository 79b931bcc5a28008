"""Departments are declared in one place: the bundled standard names, or the procuratorate's own
list in shujian.toml, with the standard names its models declare mapped onto it."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import LIBRARY
from shujian.errors import UserError
from shujian.users import Departments, departments_of
from shujian.users.user import standard_departments
from shujian.workspace import CONFIG_NAME, init_workspace, open_workspace

COUNTY = """
[departments]
names = ["第一检察部", "第二检察部", "第三检察部", "综合业务部"]
[departments.mapping]
"未成年人检察部" = "第二检察部"
"公益诉讼检察部" = "第三检察部"
"""


def _with(tmp_path: Path, extra: str) -> Path:
    ws = init_workspace(tmp_path / "ws")
    ws.store.dispose()
    config = ws.root / CONFIG_NAME
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return ws.root


def test_every_shipped_model_declares_a_standard_department() -> None:
    standard = set(standard_departments())
    assert {m.id: m.department for m in LIBRARY.values() if m.department not in standard} == {}


def test_an_unknown_department_is_refused_naming_the_allowed_ones() -> None:
    with pytest.raises(UserError) as refused:
        Departments.bundled().check("公益诉讼部", "承办部门")
    assert refused.value.code == "unknown_department"
    assert "“公益诉讼部”不是本院的部门" in refused.value.message
    assert "公益诉讼检察部、未成年人检察部" in refused.value.message
    assert Departments.bundled().check(" 公益诉讼检察部 ") == "公益诉讼检察部"


def test_a_procuratorate_replaces_the_list_and_maps_the_standard_names(tmp_path: Path) -> None:
    departments = departments_of(open_workspace(_with(tmp_path, COUNTY)))
    assert departments.names == ("第一检察部", "第二检察部", "第三检察部", "综合业务部")
    assert departments.check("第二检察部") == "第二检察部"
    with pytest.raises(
        UserError, match="本院的部门：第一检察部、第二检察部、第三检察部、综合业务部"
    ):
        departments.check("未成年人检察部")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[departments]\nnames = []\n', "names 不能为空"),
        ('[departments]\nnames = ["第一检察部", "第一检察部"]\n', "有重复的部门名称"),
        ('[departments]\nnames = ["第一检察部"]\n[departments.mapping]\n"未检部" = "第一检察部"\n',
         "“未检部”不是模型使用的标准部门名称"),
        ('[departments]\nnames = ["第一检察部"]\n[departments.mapping]\n"未成年人检察部" = "第二检察部"\n',
         "本院的部门清单中没有它"),
        ('[departments]\nmapping = ["未成年人检察部"]\n', "mapping 应当是“名称 = 名称”的表"),
    ],
)  # fmt: skip
def test_a_wrong_department_setting_is_refused(tmp_path: Path, extra: str, message: str) -> None:
    root = _with(tmp_path, extra)
    with pytest.raises(UserError, match=message):
        departments_of(open_workspace(root))
