"""Which cases a user may see, as a condition on the `cases` table (`users.access.visible` in
SQL), so that every list — cases, deadlines, statistics — pages and counts within the scope."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from shujian.cases.store import cases
from shujian.users.access import Scope


def case_scope(scope: Scope) -> ColumnElement[bool] | None:
    """`users.access.visible` for cases, as a condition on `cases` (None: every case)."""
    if scope.everything:
        return None
    if scope.nothing:
        return false()
    if scope.kind == "records":
        return cases.c.id.in_([int(i) for i in scope.granted("case")])
    if scope.kind == "department":
        return cases.c.department == scope.department
    return cases.c.prosecutor == scope.prosecutor
