"""The layers keep to their jobs: nothing below the front ends (the command line, the web
application) prints, names a command or a flag in what it tells the user, or imports a front end
(data flows one way)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src" / "shujian"
FRONT_ENDS = ("cli", "web")
"""Packages that drive the services: the command line and the web application."""

FRONT_END_MODULES = tuple(f"shujian.{name}" for name in FRONT_ENDS)

COMMAND = re.compile(r"shujian [a-z]|(?<![\w-])--[a-z]")


def _is_front_end(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in FRONT_END_MODULES)


def _below_front_ends() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if p.relative_to(SRC).parts[0] not in FRONT_ENDS)


def _texts(node: ast.AST) -> list[str]:
    """The literal text of a message: strings and the fixed parts of f-strings."""
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def _raised_messages(tree: ast.AST) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if name.endswith("Error") and node.args:
                out += [(node.lineno, t) for t in _texts(node.args[0])]
    return out


@pytest.mark.parametrize("path", _below_front_ends(), ids=lambda p: str(p.relative_to(SRC)))
def test_services_do_not_print_or_speak_command_line(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "print"
        ):
            problems.append(f"{node.lineno}: print()")
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("stdout", "stderr")
            and (isinstance(node.value, ast.Name) and node.value.id == "sys")
        ):
            problems.append(f"{node.lineno}: sys.{node.attr}")
        if isinstance(node, ast.ImportFrom) and _is_front_end(node.module or ""):
            problems.append(f"{node.lineno}: imports {node.module}")
        if isinstance(node, ast.Import):
            problems += [
                f"{node.lineno}: imports {a.name}" for a in node.names if _is_front_end(a.name)
            ]
    problems += [
        f"{line}: {text!r}" for line, text in _raised_messages(tree) if COMMAND.search(text)
    ]
    assert problems == []
