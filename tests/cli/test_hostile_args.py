"""Hostile arguments on every command and hostile settings in shujian.toml: a Chinese refusal
(exit 2) or a success, never a traceback, an internal error or English.

The commands and their hostile values come from the real click tree (`tests/hostile_args.py`):
a command added later is walked too. Here a deterministic sample (the red team's values on
every parameter they fit, one other value each); bench/hostile_args.py walks every value.
"""

from __future__ import annotations

import collections
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from hostile_args import cases, command_at, failure, invoke, kind, leaves
from shujian.cli.main import cli
from shujian.demo.showcase import build_demo
from shujian.settings import ARRAYS, SETTINGS, Setting
from shujian.workspace import CONFIG_NAME, init_workspace

pytestmark = pytest.mark.xdist_group("hostile_args")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demonstration county's workspace: leads, a case, orders, probation, sealed records."""
    return build_demo(tmp_path_factory.mktemp("hostile") / "demo").workspace.root


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SHUJIAN_WORKSPACE", "SHUJIAN_DEBUG", "SHUJIAN_STORE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_every_command_refuses_hostile_arguments_in_chinese(demo: Path, tmp_path: Path):
    values = tmp_path / "values"
    walked = cases(values, sampled=True)
    failures = []
    exits: collections.Counter[int] = collections.Counter()
    for case in walked:
        logs = len(list((demo / "logs").glob("*.log")))
        result = invoke(demo, values, case)
        exits[result.exit_code] += 1
        if why := failure(result, demo, logs):
            failures.append(f"{case.id}: {why}\n    {result.output.strip()[-300:]}")
    assert not failures, f"{len(failures)} of {len(walked)}:\n" + "\n".join(failures)
    # the walk is not vacuous: every command, every kind of value, and mostly refusals
    assert {c.path for c in walked} == set(leaves())
    kinds = {kind(p) for path in leaves() for p in command_at(path).params}
    assert {"int", "date", "month", "path", "choice", "ids"} <= kinds
    assert exits[2] > 0.8 * len(walked) and set(exits) <= {0, 2}


@pytest.mark.parametrize(
    "args",
    [
        ("leads", "show", "99999999999999999999"),
        ("cases", "show", "99999999999999999999"),
        ("leads", "dismiss", "1-99999999999", "--reason", "其他"),
        ("cases", "draft", "1", "--recipient", "县教育局", "--on", "9999-12-31", "-o", "建议书.docx"),
        ("cases", "due", "--within", "99999999999999999999"),
        ("stats", "--until", "9999-12-31"),
        ("minors", "due", "--month", "9999-12"),
        ("sealed", "answer", "0", "--result", "grant", "--text", "许可"),
        ("sealed", "request", "1", "--unit", "县公安局", "--basis", "办案需要", "--purpose", "办案",
         "--received", "1950-06-01"),
        ("leads", "export", "-o", "缺的目录/线索.xlsx", "--format", "xlsx"),
    ],
    ids=lambda args: " ".join(args),
)  # fmt: skip
def test_each_red_team_argument_is_a_chinese_refusal(demo: Path, args: tuple[str, ...]):
    logs = len(list((demo / "logs").glob("*.log")))
    result = CliRunner().invoke(cli, ["-w", str(demo), "-u", "演示部门负责人", *args])
    assert result.exit_code == 2, result.output
    assert failure(result, demo, logs) is None, result.output


def test_the_widest_window_of_due_cases_is_answered(demo: Path):
    """The largest number click lets through, as days from today, is no date: the window ends
    at the last date there is."""
    result = CliRunner().invoke(
        cli, ["-w", str(demo), "-u", "演示部门负责人", "cases", "due", "--within", "2147483647"]
    )
    assert result.exit_code == 0, result.output
    assert "2147483647 日内" in result.output


def test_a_binary_file_given_as_a_model_is_refused_in_chinese(tmp_path: Path):
    model = tmp_path / "模型.yaml"
    model.write_bytes(b"PK\x03\x04\xff\xfe" + bytes(range(256)))
    result = CliRunner().invoke(cli, ["models", "validate", str(model)])
    assert result.exit_code == 2, result.output
    assert "不是 UTF-8 编码" in result.output and "Traceback" not in result.output


def test_a_gbk_file_read_as_utf8_is_refused_in_chinese(tmp_path: Path):
    ws = init_workspace(tmp_path / "ws").root
    data = tmp_path / "登记.csv"
    data.write_bytes("名称,统一社会信用代码\n青岚县网吧,1\n".encode("gbk"))
    result = CliRunner().invoke(
        cli, ["-w", str(ws), "import", "business_registry", str(data), "--encoding", "utf-8"]
    )
    assert result.exit_code == 2, result.output
    assert "不能按 UTF-8 编码读取" in result.output


# ---------------------------------------------------------------------------- shujian.toml

WRONG_TYPE = {
    "text": ("5", '["甲"]', '{ 甲 = "乙" }'),
    "int": ('"二百"', "[1]", "{ a = 1 }", "1.5", "true"),
    "texts": ('"甲"', "[1, 2]", '{ a = "b" }'),
    "ints": ('"1"', '["一"]', "[0]", "5"),
    "mapping": ('"甲"', '["甲"]', "{ 甲 = 1 }"),
    "days": ('"2027-01-01"', "7"),
    "any": (),
}
"""Values of the wrong type for each kind of setting, as written in TOML."""


def out_of_range(setting: Setting) -> tuple[str, ...]:
    bad: list[str] = []
    if setting.between is not None:
        least, most = setting.between
        if setting.kind == "ints":
            bad += [f"[{least - 1}]", f"[1, {most + 1}]"]
        else:
            bad += [str(least - 1), str(most + 1), "99999999999999999999"]
    if setting.choices:
        bad.append('"no-such-choice"')
    return tuple(bad)


def toml_for(setting: Setting, value: str) -> str:
    if setting.section in ARRAYS:
        entry = {s.name: _good(s) for s in ARRAYS[setting.section] if s.required}
        entry[setting.name] = value
        body = "\n".join(f"{k} = {v}" for k, v in entry.items())
        return f"[[{setting.section}]]\n{body}\n"
    return f"[{setting.section}]\n{setting.name} = {value}\n"


def _good(setting: Setting) -> str:
    return {"int": "2027", "any": "1"}.get(setting.kind, '"甲"')


CONFIGS = [
    (f"{s.section}.{s.name}", s.name, toml_for(s, value))
    for s in (*SETTINGS, *(s for entries in ARRAYS.values() for s in entries))
    for value in (*WRONG_TYPE[s.kind], *out_of_range(s))
] + [
    ("未知的项", "objection_day", "[recommendations]\nobjection_day = 7\n"),
    ("未知的表", "recomendations", "[recomendations]\ncontact = '张某'\n"),
    ("表写成值", "web", "web = 5\n"),
    ("表格数组写成表", "overrides", "[overrides]\nmodel = 'a'\n"),
    ("TOML 语法", "第 2 行", "[web]\nidle_minutes = 三十\n"),
    ("重复的项", "第 3 行", "[web]\nidle_minutes = 30\nidle_minutes = 40\n"),
    ("一个日期区间写了几千年", "2027-01-01..9999-12-31",
     '[[calendar]]\nyear = 2027\nsource = "通知"\nholidays = ["2027-01-01..9999-12-31"]\n'),
    ("拒绝连接的数据库", "[store] url", '[store]\nurl = "postgresql+psycopg://u@127.0.0.1:1/x"\n'),
    ("不存在的数据库", "[store] url",
     '[store]\nurl = "postgresql+psycopg://postgres@127.0.0.1:5432/shujian_no_such_db"\n'),
    ("无法解析的主机", "[store] url", '[store]\nurl = "postgresql+psycopg://u@no-such-host.invalid/x"\n'),
    ("不认识的地址", "[store] url", '[store]\nurl = "这不是地址"\n'),
    ("没有驱动的数据库", "[store] url", '[store]\nurl = "mysql://u@localhost/x"\n'),
    ("目录不存在的 SQLite", "[store] url", '[store]\nurl = "sqlite:////不存在的目录/库.sqlite"\n'),
]  # fmt: skip
"""(what, the word the refusal must name, shujian.toml): every declared setting with each
value of the wrong type and out of its range, and the file's other ways of being wrong."""


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_workspace(tmp_path_factory.mktemp("settings") / "ws").root


def test_every_declared_setting_is_in_the_table():
    named = {what for what, _, _ in CONFIGS}
    declared = {f"{s.section}.{s.name}" for s in SETTINGS if s.kind != "any"}
    assert declared <= named
    assert len(CONFIGS) >= 100


@pytest.mark.parametrize(("what", "named", "config"), CONFIGS, ids=[c[0] for c in CONFIGS])
def test_a_wrong_setting_is_refused_naming_it_and_the_file(
    blank: Path, what: str, named: str, config: str
):
    (blank / CONFIG_NAME).write_text(config, encoding="utf-8")
    logs = len(list((blank / "logs").glob("*.log")))
    result = CliRunner().invoke(cli, ["-w", str(blank), "leads", "list"])
    assert result.exit_code == 2, result.output
    assert failure(result, blank, logs) is None, result.output
    assert named in result.output and str(blank / CONFIG_NAME) in result.output, result.output


def test_a_store_address_from_the_environment_is_named_as_such(blank: Path):
    (blank / CONFIG_NAME).write_text("", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["-w", str(blank), "leads", "list"],
        env={**os.environ, "SHUJIAN_STORE_URL": "postgresql+psycopg://u@127.0.0.1:1/x"},
    )
    assert result.exit_code == 2, result.output
    assert "服务器拒绝连接" in result.output and "环境变量 SHUJIAN_STORE_URL" in result.output
