"""Names that become paths or lines: the 院简称 is checked when shujian.toml is read (it begins
every 文号, and a 文号 names the document's file), an entered 文号 can never hold a path
separator, an actor's name can never hold a control character, and the audit log's text output
shows one entry on one line whatever was stored."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import person
from shujian import audit
from shujian.cases.numbering import parse_entered_number, parse_entered_seq
from shujian.cli.main import cli
from shujian.errors import UserError
from shujian.names import check_abbreviation, document_file, escape_controls
from shujian.users.accounts import add_user
from shujian.users.departments import Departments
from shujian.workspace import CONFIG_NAME, init_workspace, open_workspace


def shujian(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    ws = init_workspace(tmp_path / "ws")
    ws.store.dispose()
    return ws.root


def configure(root: Path, key: str, value: str) -> None:
    config = root / CONFIG_NAME
    text = config.read_text(encoding="utf-8")
    assert f'{key} = ""' in text
    # a TOML basic string: JSON's escapes (\n, \t, \u202e …) are TOML's too
    config.write_text(text.replace(f'{key} = ""', f"{key} = {json.dumps(value)}", 1), "utf-8")


@pytest.mark.parametrize(
    "value", ["../../etc", "青/检", "青\\检", "青.", "..", "青\n检", "青\t", "\u202e青", "Qing", "青 岚", "一二三四五六七"]
)  # fmt: skip
def test_an_abbreviation_that_could_leave_the_folder_is_refused_with_exit_2(root: Path, value: str):
    configure(root, "abbreviation", value)
    result = shujian("-w", str(root), "leads", "list")
    assert result.exit_code == 2
    assert "不能用作院简称" in result.output and "[region] abbreviation" in result.output
    assert "Traceback" not in result.output and "\n检" not in result.output


def test_the_abbreviation_taken_from_the_county_is_checked_too(root: Path):
    configure(root, "county", "./青岚县")
    with pytest.raises(UserError, match=re.escape("由 county 的第一个字得出的 “.”不能用作院简称")):
        open_workspace(root)


@pytest.mark.parametrize("value", ["青", "黔南", "黔西南"])
def test_chinese_abbreviations_are_taken(root: Path, value: str):
    configure(root, "abbreviation", value)
    assert open_workspace(root).region.short == value


def test_init_refuses_a_bad_abbreviation_before_writing_anything(tmp_path: Path):
    target = tmp_path / "new"
    result = shujian("init", str(target), "--abbreviation", "../x")
    assert result.exit_code == 2 and "不能用作院简称" in result.output
    assert not (target / CONFIG_NAME).exists()


def test_check_abbreviation_shows_control_characters_escaped():
    with pytest.raises(UserError) as refused:
        check_abbreviation("青\n检", "院简称")
    assert "青\\n检" in refused.value.message and "\n检" not in refused.value.message


@pytest.mark.parametrize(
    "typed",
    ["青/检建〔2026〕3号", "../青检建〔2026〕3号", "青检建〔2026〕3号/..", "青\\检建〔2026〕3号",
     "青.检建〔2026〕3号"],
)  # fmt: skip
def test_an_entered_number_never_holds_a_path_separator(typed: str):
    with pytest.raises(UserError) as refused:
        parse_entered_number(typed, 2026, "青检行公建〔2026〕3号")
    assert refused.value.code == "bad_number"
    with pytest.raises(UserError) as refused:
        parse_entered_seq(typed, 2026, "青检督〔2026〕3号", "督促监护令")
    assert refused.value.code == "bad_number"


def test_document_file_stays_in_its_folder(tmp_path: Path):
    folder = tmp_path / "documents" / "2026"
    assert document_file(folder, "青检行公建〔2026〕3号") == folder / "青检行公建〔2026〕3号.docx"
    for number in ("../青检建〔2026〕3号", "青/检建", "青\\检建", "..", ".hidden", "", "青\n检"):
        with pytest.raises(UserError) as refused:
            document_file(folder, number)
        assert refused.value.code == "bad_number"


@pytest.mark.parametrize(
    "name", ["张三\n2026-06-01 10:00 管理员", "张\t三", "张\u202e三", "张\x00三"]
)
def test_an_actor_name_with_a_control_character_is_refused(root: Path, name: str):
    result = shujian("-w", str(root), "-u", name, "audit", "log")
    assert result.exit_code == 2 and "含有换行、制表符等控制字符" in result.output
    assert "Traceback" not in result.output
    ws = open_workspace(root)
    with pytest.raises(UserError) as refused:
        add_user(ws.store, person("管理员"), name, None, ["admin"], Departments.bundled())
    assert refused.value.code == "bad_name"


def test_the_audit_log_text_escapes_control_characters_already_stored(root: Path):
    ws = open_workspace(root)
    with ws.store.begin() as conn:  # written before names were checked
        audit.record(conn, "张三\n2026-06-01 伪造", "run_models", "run", "1\r2", {"x": "a\u202eb"})
        audit.record(conn, "李四", "run_models", "run", 2, {})
    result = shujian("-w", str(root), "-u", "管理员", "audit", "log")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert "张三\\n2026-06-01 伪造" in lines[0] and "1\\r2" in lines[0]
    assert "a\\u202eb" in lines[0] and "\u202e" not in result.output
    assert "李四" in lines[1]


def test_escape_controls_leaves_ordinary_text_alone():
    assert escape_controls("青岚县人民检察院 (2026)") == "青岚县人民检察院 (2026)"
    assert escape_controls("a\nb\tc\x7f\u200bd") == "a\\nb\\tc\\u007f\\u200bd"
