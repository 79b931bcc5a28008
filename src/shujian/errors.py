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
