"""Every command, mistyped every way a user can, answers in Chinese and never with a traceback.

The commands are found by walking the real click tree, so a command added tomorrow is tried
too: with nothing after it, with an option that does not exist, with a value of the wrong type
for each typed option or argument, with --help, and against broken configurations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from shujian.cli.main import INTERNAL_ERROR_EXIT, cli, load_all
from shujian.workspace import init_workspace

ENGLISH = (
    "Traceback",
    "Usage:",
    "Error:",
    "Options:",
    "Commands:",
    "Missing argument",
    "Missing option",
    "No such",
    "Show this message",
    "Invalid value",
    "is not a valid",
    "Got unexpected",
    "Try '",
    "Aborted",
)
"""Click's own English, and Python's: none of it may reach a user."""

CHINESE = re.compile(r"[\u4e00-\u9fff]")

DATE_OPTIONS = {"as_of", "on_date", "since", "until", "today"}
"""Text options the commands read as YYYY-MM-DD dates (`cli.common.parse_date`)."""

NOT_READING_THE_WORKSPACE = {"init", "demo", "models new", "models validate", "restore"}
"""Commands that work without a workspace (they make one, or check a file): a broken
configuration is no error for them."""


def walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from walk(sub, (*path, name))


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


COMMANDS = list(walk(load_all()))
LEAVES = [p for p in COMMANDS if not isinstance(command_at(p), click.Group)]


def ids(path: tuple[str, ...]) -> str:
    return " ".join(path) or "shujian"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_workspace(tmp_path_factory.mktemp("every") / "ws").root


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A command given a directory (init, demo) writes it here, not in the repository; and no
    workspace is found by accident in the current folder or the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHUJIAN_WORKSPACE", raising=False)
    monkeypatch.delenv("SHUJIAN_DEBUG", raising=False)


def shujian(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def assert_told_in_chinese(result: Result, *, exit_code: int | None = None) -> None:
    """Non-zero (or the given) exit code, a Chinese message, none of click's or Python's
    English."""
    shown = result.output
    if exit_code is None:
        assert result.exit_code != 0, shown
    else:
        assert result.exit_code == exit_code, shown
    assert CHINESE.search(shown), shown
    for phrase in ENGLISH:
        assert phrase not in shown, f"{phrase!r} in:\n{shown}"


def good(param: click.Parameter, tmp_path: Path) -> str:
    """A value click accepts for `param` (what the command then makes of it does not matter)."""
    if isinstance(param.type, click.Choice):
        return str(param.type.choices[0])
    if isinstance(param.type, click.Path):
        return str(tmp_path / "目录") if not param.type.file_okay else str(existing_file(tmp_path))
    return "1"


def existing_file(tmp_path: Path) -> Path:
    path = tmp_path / "文件.csv"
    path.write_text("名称\n甲\n", encoding="utf-8")
    return path


def bad(param: click.Parameter, tmp_path: Path) -> str | None:
    """A value of the wrong type for `param`, in Latin letters (so any Chinese in the answer
    is the program's), or None when any text is right."""
    kind = param.type
    if isinstance(kind, click.types._NumberParamTypeBase):
        return "abc"
    if isinstance(kind, click.Choice):
        return "no-such-choice"
    if isinstance(kind, click.DateTime) or param.name in DATE_OPTIONS:
        return "2026-13-45"
    if isinstance(kind, click.Path):
        if kind.exists:
            return str(tmp_path / "no-such-file")
        if not kind.file_okay:
            return str(existing_file(tmp_path))
        if not kind.dir_okay:
            return str(tmp_path)
    return None


def required_args(
    command: click.Command, tmp_path: Path, but: click.Parameter | None = None
) -> list[str]:
    """Good values for every required parameter except `but`, in their places."""
    args: list[str] = []
    for param in command.params:
        if param is but or not param.required:
            continue
        if isinstance(param, click.Option):
            args += [param.opts[0], good(param, tmp_path)]
        else:
            args.append(good(param, tmp_path))
    return args


def typed(path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    for param in command_at(path).params:
        if param.name != "help" and bad(param, Path("/")) is not None:
            yield path, str(param.name)


TYPED = [case for p in COMMANDS for case in typed(p)]


@pytest.mark.parametrize("path", COMMANDS, ids=ids)
def test_help_is_chinese(path: tuple[str, ...]):
    result = shujian(*path, "--help")
    assert_told_in_chinese(result, exit_code=0)
    assert "用法：" in result.output and "选项：" in result.output


@pytest.mark.parametrize("path", COMMANDS, ids=ids)
def test_an_unknown_option_is_refused_in_chinese(path: tuple[str, ...], ws: Path):
    result = shujian("-w", str(ws), *path, "--no-such-option")
    assert_told_in_chinese(result)
    assert "--no-such-option" in result.output


@pytest.mark.parametrize(
    "path",
    [p for p in COMMANDS if any(param.required for param in command_at(p).params) or not p]
    + [p for p in COMMANDS if p and isinstance(command_at(p), click.Group)],
    ids=ids,
)
def test_a_command_missing_what_it_needs_says_what(path: tuple[str, ...], ws: Path):
    assert_told_in_chinese(shujian("-w", str(ws), *path))


@pytest.mark.parametrize("path", COMMANDS, ids=ids)
def test_a_command_that_does_not_exist_is_refused_in_chinese(path: tuple[str, ...], ws: Path):
    if not isinstance(command_at(path), click.Group):
        # a leaf takes the word as an argument or refuses it as an extra one
        result = shujian("-w", str(ws), *path, *required_args(command_at(path), ws), "extra")
        if result.exit_code == 0:
            return
        assert_told_in_chinese(result)
        return
    result = shujian("-w", str(ws), *path, "no-such-command")
    assert_told_in_chinese(result)
    assert "no-such-command" in result.output


@pytest.mark.parametrize("path, name", TYPED, ids=[f"{ids(p)} {n}" for p, n in TYPED])
def test_a_value_of_the_wrong_type_is_refused_in_chinese(
    path: tuple[str, ...], name: str, ws: Path, tmp_path: Path
):
    command = command_at(path)
    param = next(p for p in command.params if p.name == name)
    value = bad(param, tmp_path)
    assert value is not None
    if path == () and name == "workspace":
        result = shujian("-w", value, "leads", "list")
    elif isinstance(param, click.Option):
        rest = required_args(command, tmp_path, but=param)
        result = shujian("-w", str(ws), *path, *rest, param.opts[0], value)
    else:
        before = []
        for other in command.params:
            if other is param:
                break
            if isinstance(other, click.Argument):
                before.append(good(other, tmp_path))
        result = shujian("-w", str(ws), *path, *before, value)
    assert_told_in_chinese(result)


BROKEN = {
    "TOML 语法错误": "[region\nprovince = 贵州省\n",
    "未知的配置项": '[region]\nprovince = "贵州省"\ncountry = "中国"\n',
    "没有写依据的参数调整": (
        '[[overrides]]\nmodel = "campus.internet_cafe"\nparameter = "max_distance_m"\n'
        'value = 300\nsource = ""\n'
    ),
}


@pytest.mark.parametrize("config", [*BROKEN, "不存在的工作区"])
@pytest.mark.parametrize(
    "path", [p for p in LEAVES if " ".join(p) not in NOT_READING_THE_WORKSPACE], ids=ids
)
def test_a_broken_workspace_is_explained_in_chinese(
    path: tuple[str, ...], config: str, tmp_path: Path
):
    root = tmp_path / "broken"
    if config in BROKEN:
        init_workspace(root)
        (root / "shujian.toml").write_text(BROKEN[config], encoding="utf-8")
    result = shujian("-w", str(root), *path, *required_args(command_at(path), tmp_path))
    assert_told_in_chinese(result)
    assert "shujian.toml" in result.output


def test_a_toml_error_names_the_line_and_column_in_chinese(tmp_path: Path):
    root = tmp_path / "ws"
    init_workspace(root)
    (root / "shujian.toml").write_text("[region]\ncounty = 青岚县\n", encoding="utf-8")
    result = shujian("-w", str(root), "leads", "list")
    assert_told_in_chinese(result)
    assert "第 2 行第 10 列" in result.output and "county = 青岚县" in result.output


@pytest.mark.parametrize(
    "command", [("run", "campus.internet_cafe"), ("models", "show", "campus.internet_cafe")]
)
def test_text_in_a_numeric_override_is_refused_before_the_engine(
    command: tuple[str, ...], tmp_path: Path
):
    root = tmp_path / "ws"
    init_workspace(root)
    with (root / "shujian.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            '\n[[overrides]]\nmodel = "campus.internet_cafe"\nparameter = "max_distance_m"\n'
            'value = "二百"\nsource = "某县规划"\n'
        )
    result = shujian("-w", str(root), *command)
    assert_told_in_chinese(result, exit_code=2)
    assert "max_distance_m" in result.output and "整数" in result.output
    assert 'value = "二百"' in result.output  # the entry as written, not a Python dict
    assert "{'" not in result.output


def test_an_unforeseen_failure_is_one_chinese_line_and_a_log(tmp_path: Path):
    """A case store that is not a database (a disk error, a file copied over it) is nothing a
    command foresees: the user reads where the details are, the administrator the traceback."""
    root = tmp_path / "ws"
    init_workspace(root)
    (root / "case_store.sqlite").write_bytes(b"this is not a database" * 100)
    result = shujian("-w", str(root), "leads", "list")
    assert_told_in_chinese(result, exit_code=INTERNAL_ERROR_EXIT)
    assert "内部错误" in result.output
    logs = list((root / "logs").glob("*.log"))
    assert len(logs) == 1 and str(logs[0]) in result.output
    assert "Traceback" in logs[0].read_text(encoding="utf-8")
