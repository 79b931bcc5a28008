"""What a user typed into a record of the juvenile work: stripped, required or not, and no
longer than the record allows — one refusal wording for 督办, 督促监护令 and 附条件不起诉."""

from __future__ import annotations

from shujian.errors import UserError


def entered_text(value: str | None, what: str, limit: int, *, required: bool = True) -> str:
    """`value` stripped; refused when `required` and empty (`text_required`) or longer than
    `limit` characters (`text_too_long`), naming `what` in Chinese."""
    text = (value or "").strip()
    if required and not text:
        raise UserError(f"请填写{what}。", code="text_required")
    if len(text) > limit:
        raise UserError(f"{what}最多 {limit} 字，现有 {len(text)} 字。", code="text_too_long")
    return text
