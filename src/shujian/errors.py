"""Errors a user can act on. Their message is Chinese and is shown as it is."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused request: the command stops with this message and exit code 2.

    `code` names the kind of refusal for callers that react to it (the command line adds its
    hints, the web application its links); the message never names a command-line flag.
    """

    exit_code = 2

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
