"""Click's own words in Chinese: help headings, usage errors, type errors.

A prosecutor meets click's texts whenever a command is mistyped — "Missing argument", "No such
command", "Show this message and exit." — and reads them as the program breaking in a language
they were never promised. Click marks every such text with gettext (`from gettext import
gettext as _` in each of its modules), so a catalogue can replace them all; but the standard
gettext lookup picks its catalogue from LANGUAGE/LANG, which differ from one county server to
the next. Here the catalogue is bound to click's modules directly, so the command line is
Chinese whatever the machine's locale.

Three parts, each in the place click provides for it:

- `CATALOGUE` / `PLURALS`: every text click wraps in gettext (a test fails when a click upgrade
  adds one that is not here);
- `ChineseContext` with `ChineseHelpFormatter`: full-width colons after 用法、选项、命令;
- `describe`: a usage error as one Chinese sentence naming the option as the user typed it,
  without Python's quotes around values.
"""

from __future__ import annotations

import difflib
import gettext
import re
import unicodedata
from collections.abc import Iterable

import click
from click import core, decorators, exceptions, formatting, parser, termui, types, utils

CATALOGUE: dict[str, str] = {
    # help pages
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "env var: {var}": "环境变量：{var}",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "(dynamic)": "（动态）",
    "deprecated": "已停用",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": "提示：命令“{name}”已停用。{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": "提示：“{name}”已停用。{extra_message}",
    # errors and their frame
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "用 {command} {option} 查看用法。",
    "Aborted!": "已中止。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "No such option {name!r}.": "没有选项 {name}。",
    "No such command {name!r}.": "没有命令“{name}”。",
    "Invalid value: {message}": "值不对：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "unknown error": "未知错误",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”：{message}",
    "Value must be an iterable.": "值应当是一组值。",
    "Invalid start character for option ({option})": "选项的开头字符不对（{option}）",
    "Option {name!r} does not take a value.": "选项 {name} 不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name} 需要 {nargs} 个值。",
    # values of the wrong type
    "{value!r} is not a valid {number_type}.": "“{value}”不是数字。",
    "{value} is not in the range {range}.": "{value} 超出范围（应为 {range}）。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "“{value}”不是是/否值，可写：{states}",
    "{value!r} is not a valid UUID.": "“{value}”不是有效的 UUID。",
    "Choose from:\n\t{choices}": "可选：{choices}",
    "Choice({choices})": "可选值（{choices}）",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是文件，不是目录。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是目录，不是文件。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”无法读取。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”无法写入。",
    "{name} {filename!r} is not executable.": "{name}“{filename}”无法执行。",
    # prompts
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不再询问，直接确认。",
    "Repeat for confirmation": "请再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续……",
    "{editor}: Editing failed": "{editor}：编辑失败",
    "{editor}: Editing failed: {e}": "{editor}：编辑失败：{e}",
    # mistakes of a command's author, not of its user (Chinese all the same)
    "Name '{name}' defined twice": "名称“{name}”定义了两次",
    "Could not determine name for option with declarations {decls!r}": "无法确定选项的名称：{decls}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? Did you mean to pass '--{name}'?": "声明了名称（{name}）却没有选项。",
    "Boolean option {decl!r} cannot use the same flag for true/false.": "是/否选项 {decl} 的两种取值不能用同一个写法。",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.": "参数只能有一个声明，实际有 {length} 个：{decls}。",
    "Unknown color {colour!r}": "未知的颜色“{colour}”",
    "Unknown standard stream '{name}'": "未知的标准流“{name}”",
    "Shell completion is not supported for Bash versions older than 4.4.": "Bash 4.4 以下版本不支持命令补全。",
    "Couldn't detect Bash version, shell completion is not supported.": "无法确定 Bash 版本，不支持命令补全。",
    "Windows error: {error}": "Windows 错误：{error}",
}  # fmt: skip
"""Click's gettext texts → Chinese. Values are formatted by click with the same names, so a
translation may drop `!r` (Python's quotes) and use “” instead."""

PLURALS: dict[str, str] = {
    "Did you mean {possibility}?": "是否想写 {possibility}？",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Option {name!r} requires an argument.": "选项 {name} 后面要写一个值。",
    "{value!r} is not {choice}.": "“{value}”不在可选值之中。",
    "{value!r} does not match the format {format}.": "“{value}”的格式不对，应为 {formats}。",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值，给了 {len_value} 个。",
}  # fmt: skip
"""Click's ngettext texts (keyed by the singular) → one Chinese text: Chinese has no plural."""


class ChineseTranslations(gettext.NullTranslations):
    """The catalogue as a gettext translation, so click calls it as it would any other."""

    def gettext(self, message: str) -> str:
        return CATALOGUE.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return PLURALS.get(msgid1, msgid1 if n == 1 else msgid2)


CLICK_MODULES = (core, decorators, exceptions, formatting, parser, termui, types, utils)


def install() -> None:
    """Bind the catalogue to every click module that translates (idempotent)."""
    translations = ChineseTranslations()
    for module in CLICK_MODULES:
        if hasattr(module, "_"):
            module._ = translations.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = translations.ngettext  # type: ignore[attr-defined]


def width(text: str) -> int:
    """Columns the text takes on a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most `columns` terminal columns: breaks between Chinese characters anywhere,
    in Latin text only at spaces (click's wrapping counts characters, not columns)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in re.findall(r"[\x21-\x7e]+| +|.", paragraph):
            if line and width(line) + width(token) > columns:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        lines.append(line.rstrip())
    return lines


class ChineseHelpFormatter(click.HelpFormatter):
    """Headings end in a full-width colon, 用法： needs no space after it, and the option and
    command lists are aligned and wrapped by terminal columns, which Chinese text makes
    differ from the number of characters."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = list(rows)
        first_col = min(max((width(first) for first, _ in rows), default=0), col_max)
        first_col += col_spacing
        indent = " " * self.current_indent
        for first, second in rows:
            self.write(f"{indent}{first}")
            if not second:
                self.write("\n")
                continue
            if width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(second, max(self.width - first_col - self.current_indent, 20))
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{indent}{' ' * first_col}{line}\n")


class ChineseContext(click.Context):
    formatter_class = ChineseHelpFormatter


METAVARS = {
    "text": "文字",
    "integer": "整数",
    "float": "数值",
    "path": "路径",
    "directory": "目录",
    "file": "文件",
    "filename": "文件",
}
"""Placeholders shown after an option in help (`--page 整数` rather than `--page INTEGER`)."""


def localise(command: click.Command) -> None:
    """Give a command, and every command under it, the Chinese context and placeholders.

    Done once over the whole tree when the commands are registered, so a command added in any
    module is covered without its author doing anything."""
    command.context_class = ChineseContext
    command.options_metavar = "[选项]"
    if isinstance(command, click.Group):
        command.subcommand_metavar = "命令 [参数]..."
        for sub in command.commands.values():
            localise(sub)
    for param in command.params:
        if isinstance(param, click.Option) and param.metavar is None and not param.is_flag:
            name = getattr(param.type, "name", "")
            if isinstance(param.type, click.Path):
                name = "directory" if not param.type.file_okay else "file"
            if name in METAVARS:
                param.metavar = METAVARS[name]


def _name(param: click.Parameter | None, ctx: click.Context | None) -> str:
    """The option as the user types it (`--page`), or the argument as help shows it (`DATASET`)."""
    if param is None:
        return ""
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    return param.make_metavar(ctx) if ctx is not None else (param.name or "").upper()


def describe(error: click.UsageError) -> str:
    """The usage error as one Chinese sentence (click's texts are already Chinese by now)."""
    ctx = error.ctx
    if isinstance(error, exceptions.MissingParameter):
        what = "选项" if isinstance(error.param, click.Option) else "参数"
        text = f"缺少{what} {_name(error.param, ctx)}。"
        if error.param is not None and isinstance(error.param.type, click.Choice):
            text += f"可选：{'、'.join(map(str, error.param.type.choices))}。"
        return text
    if isinstance(error, exceptions.NoSuchOption):
        text = f"没有选项 {error.option_name}。"
        if error.possibilities:
            text += f"是否想写 {'、'.join(error.possibilities)}？"
        return text
    if isinstance(error, exceptions.NoSuchCommand):
        text = f"没有命令“{error.command_name}”。"
        commands: list[str] = (
            ctx.command.list_commands(ctx)
            if ctx is not None and isinstance(ctx.command, click.Group)
            else []
        )
        close = difflib.get_close_matches(error.command_name, commands, n=1)
        if close:
            text += f"是否想写“{close[0]}”？"
        if commands:
            text += f"可用的命令：{'、'.join(commands)}。"
        return text
    if isinstance(error, exceptions.BadParameter) and error.param is not None:
        text = f"{_name(error.param, ctx)} 的值不对：{_sentence(error.message)}"
        if isinstance(error.param.type, click.Choice):
            text += f"可选：{'、'.join(map(str, error.param.type.choices))}。"
        return text
    return _sentence(error.format_message())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(("。", "？", "）", "！")) else f"{text}。"


class ChineseUsageError(click.UsageError):
    """A usage error of click, shown through click's own frame with a Chinese sentence."""

    def __init__(self, original: click.UsageError) -> None:
        super().__init__(describe(original), original.ctx)

    def format_message(self) -> str:
        return self.message


def chinese(error: click.UsageError) -> click.UsageError:
    """`error` in Chinese (unchanged when it already is)."""
    return error if isinstance(error, ChineseUsageError) else ChineseUsageError(error)
