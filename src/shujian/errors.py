"""Errors a user can act on. Their message is Chinese and is shown as it is."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused request: the command stops with this message and exit code 2.

    `code` names the refusal for the layer that shows it (a command may add its own hint, a web
    page its own link), so services never need to know how they are driven; empty when no caller
    has needed to tell this refusal apart from others.
    """

    exit_code = 2

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def os_reason(error: OSError) -> str:
    """Why a file could not be read or written, in Chinese (Python's strerror is English)."""
    reasons: tuple[tuple[type[OSError], str], ...] = (
        (FileNotFoundError, "文件或其所在的目录不存在"),
        (IsADirectoryError, "这是一个目录，不是文件"),
        (NotADirectoryError, "路径中有一段不是目录"),
        (PermissionError, "没有读写权限"),
        (FileExistsError, "文件已存在"),
    )
    for kind, reason in reasons:
        if isinstance(error, kind):
            return reason
    if error.errno == 28:  # ENOSPC
        return "磁盘空间不足"
    if error.errno == 36:  # ENAMETOOLONG
        return "文件名太长"
    return f"系统错误（错误号 {error.errno}）"
