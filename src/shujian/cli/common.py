"""What several commands share: the workspace, the model library, the acting user, dates and
lists of ids as users type them."""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path

import click

from shujian.beijing import today_in_china
from shujian.data.datasets import Dataset, load_datasets
from shujian.errors import UserError
from shujian.leads.queue import homes
from shujian.limits import LARGEST_RANGE, check_integer, check_year
from shujian.models.spec import ModelSpec, load_library
from shujian.paging import Page
from shujian.users import Departments, User, departments_of
from shujian.users.accounts import resolve
from shujian.workspace import Workspace, open_workspace


def workspace(ctx: click.Context) -> Workspace:
    """The workspace, opened once per command (its store engine is shared by what it calls)."""
    obj = ctx.find_root().obj
    if isinstance(obj, dict) and isinstance(obj.get("_opened"), Workspace):
        return obj["_opened"]
    root: Path | None = obj.get("workspace") if isinstance(obj, dict) else None
    ws = open_workspace(root)
    if isinstance(obj, dict):
        obj["_opened"] = ws
    return ws


def library(ws: Workspace) -> dict[str, ModelSpec]:
    return load_library(ws.models_dir)


def in_workspace(ctx: click.Context) -> bool:
    """Whether a workspace was named (-w, $SHUJIAN_WORKSPACE) or the current folder is one.

    Authoring commands work without one (on the shipped declarations), so an analyst can check
    a model file before any workspace exists."""
    root = ctx.obj.get("workspace") if ctx.obj else None
    return bool(root) or Path("shujian.toml").exists()


def declared_datasets(ctx: click.Context) -> dict[str, Dataset]:
    """The workspace's datasets (its own declarations too) when there is one, else the shipped."""
    if in_workspace(ctx):
        datasets: dict[str, Dataset] = workspace(ctx).datasets()
        return datasets
    return load_datasets()


def departments(ws: Workspace) -> Departments:
    return departments_of(ws)


def home_departments(ws: Workspace) -> dict[str, str]:
    """Model id → where its undispatched leads wait and count (the policy is `leads.queue`)."""
    return homes(library(ws), departments_of(ws))


def user_name(ctx: click.Context) -> str:
    """The name the acting user gave: --user, else $SHUJIAN_USER, else the login name."""
    name = ctx.find_root().obj.get("user") if ctx.find_root().obj else None
    if name and str(name).strip():
        return str(name).strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError) as exc:  # no login name (some containers)
        raise UserError("无法确定操作人，请用 --user 或环境变量 SHUJIAN_USER 指定。") from exc


def user(ctx: click.Context) -> User:
    """Who is acting, as an account of the workspace (see `users.accounts.resolve`)."""
    ws = workspace(ctx)
    try:
        return resolve(ws.store, user_name(ctx), ws.region.procuratorate_name)
    except UserError as error:
        if error.code != "unknown_user":
            raise
        raise UserError(
            f"{error.message}（用 -u 姓名 或环境变量 SHUJIAN_USER 指定操作人）",
            code=error.code,
        ) from error


def parse_date(text: str | None, what: str = "日期") -> dt.date:
    """YYYY-MM-DD; today in China when not given (the services refuse dates after that day, so
    the default must be the same day whatever the server's clock zone)."""
    if text is None:
        return today_in_china()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"{what}应为 YYYY-MM-DD 格式，收到：{text}") from exc
    return check_year(day, what, text)


def parse_ids(specs: tuple[str, ...], what: str = "线索") -> list[int]:
    """Ids as typed: `3 5 7`, `3,5,7`, `10-20` (ranges inclusive), in the order given."""
    out: list[int] = []
    for spec in specs:
        for part in spec.replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                if "-" in part:
                    low, high = (int(x) for x in part.split("-", 1))
                    if high < low:
                        raise ValueError
                else:
                    low = high = int(part)
            except ValueError as exc:
                raise UserError(
                    f"{what}编号“{part}”格式不对，应为数字或范围，例如 3、5,7 或 10-20。"
                ) from exc
            check_integer(high, f"{what}编号")
            if high - low >= LARGEST_RANGE:
                raise UserError(
                    f"{what}编号范围“{part}”太大：一个范围最多 {LARGEST_RANGE} 个编号。",
                    code="too_large",
                )
            out.extend(range(low, high + 1))
    if not out:
        raise UserError(f"请指定{what}编号。")
    return out


PER_PAGE = 100
"""Rows a list command prints at a time."""


def paging_options(command):  # type: ignore[no-untyped-def]
    """`--page N` and `--per-page N` on a list command."""
    command = click.option(
        "--per-page", "per_page", type=int, default=PER_PAGE, show_default=True, help="每页条数"
    )(command)
    return click.option("--page", type=int, default=1, show_default=True, help="第几页")(command)


def page_window(page: int, per_page: int) -> tuple[int, int]:
    """(offset, limit) of a 1-based page."""
    if page < 1:
        raise UserError("页码从 1 开始。")
    return (page - 1) * per_page, per_page


def page_footer(rows: Page, what: str) -> str:
    """共 N 条, and where the other pages are when there are several."""
    if rows.pages <= 1:
        return f"共 {rows.total} {what}。"
    tail = (
        f"用 --page {rows.number + 1} 查看下一页。"
        if rows.number < rows.pages
        else "已是最后一页。"
    )
    return f"共 {rows.total} {what}，第 {rows.number}/{rows.pages} 页。{tail}"
