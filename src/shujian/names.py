"""Names that become part of a path, a file name or a line of text someone reads.

The 院简称 (`[region] abbreviation`) is the first part of every 文号 the platform numbers, and a
文号 is the name of the document's file (`documents/2026/青检行公建〔2026〕3号.docx`): a "/" or
".." in it would write the 检察建议书 outside the workspace. An actor's name is written into the
audit log, whose text output is one line per entry: a newline in a name would forge a line.
Both are checked where they enter (settings loaded, account opened, actor resolved); the audit
log's text output also escapes whatever control character was stored before the check existed.
"""

from __future__ import annotations

import glob
import re
import unicodedata
import uuid
from pathlib import Path

from shujian.errors import UserError

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
ABBREVIATION = re.compile(rf"[{_HAN}]{{1,6}}")
"""A 院简称: one to six Chinese characters (青, 黔南, 黔西南 …)."""


def is_control(ch: str) -> bool:
    """A control (Cc: newline, tab …) or format (Cf: the right-to-left override …) character."""
    return unicodedata.category(ch) in ("Cc", "Cf")


def escape_controls(text: str) -> str:
    """`text` with each control or format character written as its escape (\\n, \\t, \\u202e),
    so that what was stored is shown on one line, exactly and visibly."""
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return "".join(
        named.get(ch, f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        if is_control(ch)
        else ch
        for ch in text
    )


def check_abbreviation(value: str, where: str) -> None:
    """Refuse a 院简称 that is not one to six Chinese characters (`where` names its place)."""
    if ABBREVIATION.fullmatch(value):
        return
    raise UserError(
        f"{where}“{escape_controls(value)}”不能用作院简称：院简称是文号的开头，"
        "也是文书文件名的一部分，应为一至六个汉字（如“青”“黔南”），"
        "不能含有斜杠、反斜杠、点、空格、字母数字或控制字符。",
        code="bad_config",
    )


def check_actor_name(name: str) -> None:
    """Refuse an actor's or account's name holding a control or format character (a newline
    would forge a line of the audit log's text output)."""
    if any(is_control(ch) for ch in name):
        raise UserError(
            f"操作人或账号姓名“{escape_controls(name)}”含有换行、制表符等控制字符，不能使用。",
            code="bad_name",
        )


_NOT_IN_FILE_NAMES = frozenset('/\\:*?"<>|')


def document_file(folder: Path, number: str, suffix: str = ".docx") -> Path:
    """The file of the document numbered `number` in `folder` (`documents/<year>`).

    An entered 文号 is Chinese characters, brackets and digits (`parse_entered_number`) and a
    numbered one begins with the checked 院简称, so this refusal should never be met: it keeps a
    文号 that slipped past them from naming a file outside `folder`."""
    bad = (
        not number
        or number.startswith(".")
        or ".." in number
        or any(ch in _NOT_IN_FILE_NAMES or is_control(ch) for ch in number)
    )
    target = folder / f"{number}{suffix}"
    if bad or target.parent != folder:
        raise UserError(
            f"文号“{escape_controls(number)}”含有斜杠、点等不能用于文件名的字符，文书未生成。",
            code="bad_number",
        )
    return target


_PARTIAL = re.compile(r"\.[0-9a-f]{32}\.part")


def partial_file(target: Path) -> Path:
    """Where a document is written before it is moved to `target`: a hidden name of its own
    (`.<name>.<random>.part`), so that what a rendering killed midway leaves is known as ours."""
    return target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")


def remove_partials(target: Path) -> list[Path]:
    """Remove the files renderings of `target` that never finished (the process was killed) left
    beside it. Called once the document is written and its hash recorded: no rendering of it can
    be claimed any more, so a partial file of it is nobody's work in progress."""
    prefix = f".{target.name}"
    removed = []
    for path in target.parent.glob(f"{glob.escape(prefix)}.*.part"):
        if _PARTIAL.fullmatch(path.name.removeprefix(prefix)):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
