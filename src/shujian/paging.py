"""One page of a list: the rows shown and how many matched.

Lists of leads and cases grow to tens of thousands in a city; a front end shows a page at a time
and says how many there are. `Page` is the rows of one page (a list, so code that only iterates
is unchanged) that also knows the total, its offset and its size, which the audit of a list view
records too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, func

from shujian.errors import UserError

MAX_LIMIT = 1000
"""The largest page a service hands out: a bigger list is an export, not a view."""


class Page(list[dict[str, Any]]):
    """The rows of one page, in order, with `total` (rows that matched), `offset` and `limit`."""

    def __init__(self, rows: list[dict[str, Any]], total: int, offset: int, limit: int | None):
        super().__init__(rows)
        self.total = total
        self.offset = offset
        self.limit = limit

    @property
    def number(self) -> int:
        """1-based page number."""
        return self.offset // self.limit + 1 if self.limit else 1

    @property
    def pages(self) -> int:
        if not self.limit:
            return 1
        return max(1, -(-self.total // self.limit))


def check_window(offset: int, limit: int | None) -> None:
    if offset < 0 or (limit is not None and not 1 <= limit <= MAX_LIMIT):
        raise UserError(
            f"分页参数不对：起始位置不能为负数，每页条数应在 1 到 {MAX_LIMIT} 之间。",
            code="bad_page",
        )


def fetch_page(conn: Connection, query: Select[Any], offset: int, limit: int | None) -> Page:
    """Run an ordered query for one page and count everything it matches (a separate count
    only when the page is a window: an unpaged list counts itself)."""
    check_window(offset, limit)
    window = query.offset(offset) if offset else query
    if limit is not None:
        window = window.limit(limit)
    rows = [dict(r._mapping) for r in conn.execute(window)]
    if limit is None and offset == 0:
        return Page(rows, len(rows), offset, limit)
    return Page(rows, count(conn, query), offset, limit)


def count(conn: Connection, query: Select[Any]) -> int:
    """How many rows `query` matches, counted by the database without fetching them."""
    counted = query.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    return int(conn.execute(counted).scalar_one())
