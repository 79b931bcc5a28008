"""Hostile arguments for every command, derived from the real click tree (shared by
tests/cli/test_hostile_args.py and bench/hostile_args.py).

Each parameter's hostile values come from its click type (an integer option gets text, a negative
number, a number beyond int64 and one beyond a float; a path gets a directory, a missing file, a
file in a missing folder, a file without permission) or, for the many dates and months the
commands take as text, from its help (`YYYY-MM-DD`): so a command added later is walked without
anyone listing it here. The other required parameters get values that exist in the demonstration
workspace, so that the hostile value is what the command meets, not "没有案件 1".
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
from click.testing import CliRunner, Result

from shujian.cli.main import INTERNAL_ERROR_EXIT, cli, load_all

USER = "演示部门负责人"
"""Acts in the demonstration workspace: may do the case, minors and sealing work alike."""

CHINESE = re.compile(r"[\u4e00-\u9fff]")

ENGLISH = (
    "Traceback",
    "Usage:",
    "Error:",
    "Options:",
    "Missing argument",
    "Missing option",
    "No such",
    "Invalid value",
    "is not a valid",
    "is not in the range",
    "does not exist",
    "is a directory",
    "Got unexpected",
    "Try '",
    "Aborted",
    "Permission denied",
    "No such file",
    "[Errno",
)
"""Click's and Python's English: none of it may reach a user."""

SERVING = {("serve",), ("demo",)}
"""Commands that start a web server or build a whole demonstration county: only values click
itself refuses are tried on them (a value it accepts would start the server or the build)."""

INTEGERS = ("abc", "-1", "0", "2147483647", "99999999999999999999", "1e400")
FLOATS = ("abc", "-1", "nan", "inf", "1e400")
DATES = ("9999-12-31", "0001-01-01", "2999-12-31", "1900-01-01", "2026-02-30", "昨天", "")
MONTHS = ("9999-12", "0000-01", "2026-13", "上个月")
QUARTERS = ("9999Q4", "2026Q5", "0000Q1", "第五季度")
ID_LISTS = ("99999999999999999999", "-5", "1-99999999999", "0")
TEXTS = ("",)
PAIRS = ("没有等号", "=值", "字段=")
CHOICES = ("no-such-choice",)

GOOD: dict[str, str] = {
    "case_id": "1",
    "lead_id": "7",
    "lead_ids": "7",
    "lead": "46",
    "dataset": "business_registry",
    "dataset_id": "business_registry",
    "model": "campus.internet_cafe",
    "model_id": "campus.internet_cafe",
    "minor": "7efa2b263cca47ca",
    "which": "1",
    "item_id": "1",
    "check_id": "1",
    "record_id": "1",
    "request_id": "1",
    "name": "无此人",
    "number": "1",
}
"""Values of required parameters that exist in the demonstration workspace (`shujian demo`)."""

GOOD_AT: dict[tuple[str, ...], dict[str, str]] = {
    ("cases", "document"): {"number": "青检未建〔2026〕7号"},
    ("cases", "render"): {"number": "青检未建〔2026〕7号"},
    ("cases", "file"): {"number": "青检未建〔2026〕7号"},
    ("minors", "order", "document"): {"number": "青检未督监〔2026〕1号"},
    ("minors", "order", "followup"): {"number": "青检未督监〔2026〕1号"},
    ("minors", "order", "render"): {"number": "青检未督监〔2026〕1号"},
    ("minors", "order", "show"): {"number": "青检未督监〔2026〕1号"},
    ("cases", "act"): {"action": "record_reply"},
    ("cases", "outcome"): {"kind": "rectified"},
}


@dataclass(frozen=True)
class Case:
    """One command line: `path`, then `args`; `what` says what is hostile in it."""

    path: tuple[str, ...]
    what: str
    args: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{' '.join(self.path)} {self.what}"


def leaves(command: click.Command = cli, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if command is cli:
        load_all()  # the commands are imported on first use (cli/commands.py): all of them here
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from leaves(sub, (*path, name))
    else:
        yield path


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = load_all()
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def _help(param: click.Parameter) -> str:
    return f"{getattr(param, 'help', '') or ''} {param.metavar or ''}"


def kind(param: click.Parameter) -> str | None:
    """What sort of value the parameter takes, for picking hostile ones (None: nothing to try,
    as for a flag)."""
    if isinstance(param, click.Option) and param.is_flag:
        return None
    t = param.type
    if isinstance(t, click.Choice):
        return "choice"
    if isinstance(t, click.Path):
        return "path"
    if isinstance(t, click.types.IntParamType):
        return "int"
    if isinstance(t, click.types.FloatParamType):
        return "float"
    if isinstance(t, click.types.StringParamType):
        text = _help(param)
        if "YYYY-MM-DD" in text or re.search(r"日期（默认今天", text):
            return "date"
        if "YYYY-MM" in text:
            return "month"
        if "季度" in text:
            return "quarter"
        if (param.name or "").endswith("_ids"):
            return "ids"
        if "=" in text:
            return "pairs"
        return "text"
    return None


def hostile(param: click.Parameter, scratch: Path) -> tuple[str, ...]:
    """The hostile values of one parameter (paths are made under `scratch`)."""
    return {
        "choice": CHOICES,
        "int": INTEGERS,
        "float": FLOATS,
        "date": DATES,
        "month": MONTHS,
        "quarter": QUARTERS,
        "ids": ID_LISTS,
        "pairs": PAIRS,
        "text": TEXTS,
        "path": paths(scratch),
        None: (),
    }[kind(param)]


def prepare(scratch: Path) -> None:
    """The files the values name, afresh (a command may have written where nothing was)."""
    shutil.rmtree(scratch, ignore_errors=True)
    folder = scratch / "一个目录"
    folder.mkdir(parents=True)
    (folder / "里面的文件.csv").write_text("名称\n甲\n", encoding="utf-8")
    (scratch / "样例.csv").write_text("名称\n甲\n", encoding="utf-8")
    locked = scratch / "无权限.csv"
    locked.write_text("名称\n甲\n", encoding="utf-8")
    locked.chmod(0)


def paths(scratch: Path) -> tuple[str, ...]:
    """A directory, a missing file, a file in a missing folder, a file nobody may read (as
    root, the walk's user on some machines, it can be read all the same)."""
    folder = scratch / "一个目录"
    locked = scratch / "无权限.csv"
    return (
        str(folder),
        str(scratch / "不存在.csv"),
        str(scratch / "不存在的目录" / "文件.xlsx"),
        str(locked),
    )


def good(path: tuple[str, ...], param: click.Parameter, scratch: Path) -> str:
    """A value the command accepts for `param` (so that another parameter's value is tried)."""
    named = GOOD_AT.get(path, {}).get(param.name or "") or GOOD.get(param.name or "")
    if named:
        return named
    if isinstance(param.type, click.Choice):
        return str(param.type.choices[0])
    if isinstance(param.type, click.Path):
        if not param.type.file_okay:
            return str(scratch / "输出目录")
        if param.type.exists:
            return str(scratch / "样例.csv")
        return str(scratch / "输出.docx")
    if kind(param) == "date":
        return "2026-11-02"
    return "1"


def _line(
    path: tuple[str, ...],
    command: click.Command,
    scratch: Path,
    bad: click.Parameter | None,
    value: str,
) -> tuple[str, ...]:
    """The command line with `value` for `bad` and good values for the required others."""
    args: list[str] = []
    for param in command.params:
        if isinstance(param, click.Argument):
            if param is bad:
                args.append(value)
            elif param.required or _argument_before(command, param, bad):
                args.append(good(path, param, scratch))
        elif param is bad:
            args += [param.opts[0], value]
        elif param.required:
            args += [param.opts[0], good(path, param, scratch)]
    return tuple(args)


def _argument_before(
    command: click.Command, param: click.Parameter, bad: click.Parameter | None
) -> bool:
    """An optional argument before the hostile one needs a value, or the value lands in it."""
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    return isinstance(bad, click.Argument) and arguments.index(param) < arguments.index(bad)


def _accepted_by_click(param: click.Parameter, value: str) -> bool:
    try:
        param.type.convert(value, param, None)
    except click.BadParameter:
        return False
    return True


RED_TEAM = {
    "99999999999999999999",
    "2147483647",
    "9999-12-31",
    "9999-12",
    "9999Q4",
    "1-99999999999",
}
"""Values the red team found tracebacks with: tried on every parameter they fit, also in the
sample."""


def sample(values: tuple[str, ...], turn: int, scratch: Path) -> tuple[str, ...]:
    """The red-team values and one other, chosen by `turn` (deterministic: the same cases on
    every run, a different value on each parameter)."""
    missing_folder = str(scratch / "不存在的目录" / "文件.xlsx")
    kept = [v for v in values if v in RED_TEAM or v == missing_folder]
    others = [v for v in values if v not in kept]
    if others:
        kept.append(others[turn % len(others)])
    return tuple(kept)


def cases(scratch: Path, *, sampled: bool = False) -> list[Case]:
    """Every command × every hostile value of each of its parameters (`sampled`: the red-team
    values and one other), and each command with an unknown option and without its required
    parameters."""
    out: list[Case] = []
    turn = 0
    for path in leaves():
        command = command_at(path)
        for param in command.params:
            values = hostile(param, scratch)
            if sampled:
                values = sample(values, turn, scratch)
                turn += 1
            for value in values:
                if path in SERVING and _accepted_by_click(param, value):
                    continue
                args = _line(path, command, scratch, param, value)
                out.append(Case(path, f"{param.name}={value!r}", args))
        out.append(Case(path, "未知选项", (*_line(path, command, scratch, None, ""), "--没有")))
        if any(p.required for p in command.params):
            out.append(Case(path, "缺少必填", ()))
    return out


def invoke(workspace: Path, scratch: Path, case: Case) -> Result:
    prepare(scratch)
    return CliRunner().invoke(
        cli,
        ["-w", str(workspace), "-u", USER, *case.path, *case.args],
        prog_name="shujian",
        catch_exceptions=True,
    )


def failure(result: Result, workspace: Path, logs_before: int) -> str | None:
    """Why the answer is not a Chinese refusal (or a success), None when it is."""
    shown = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"异常 {type(result.exception).__name__}: {result.exception}"
    if result.exit_code == INTERNAL_ERROR_EXIT:
        return "内部错误（退出码 70）"
    if result.exit_code not in (0, 2):
        return f"退出码 {result.exit_code}"
    if len(list((workspace / "logs").glob("*.log"))) > logs_before:
        return "写了内部错误日志"
    if result.exit_code == 2 and not CHINESE.search(shown):
        return "没有中文说明"
    for phrase in ENGLISH:
        if phrase in shown:
            return f"英文：{phrase}"
    return None
