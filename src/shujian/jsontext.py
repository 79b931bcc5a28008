"""JSON made ahead of a write, column-wise in polars, as Python's `json` would make it.

A run writes ten thousand leads, each with its evidence rows as JSON, and the tamper ledger
digests each lead's evidence in canonical form (sorted keys, compact, unescaped:
`tamper.policy.value_text`). Encoding them one value at a time in Python was a third of what a
run spends beside its query (benefit.deceased: up to 50 monthly payments a lead); polars encodes
a frame's rows in Rust.

polars' encoding equals Python's only for some values, so `encodable` says when it may be used:
text (every code point is escaped alike), integers, booleans and nulls, lists of those, and
64-bit floats of magnitude 1e-4 to 1e16 or zero. Below that range Python writes `1e-05` and
`1.5e-07` where polars writes `0.00001` and `1.5e-7`; NaN and infinity differ too; above it they
agreed in every sample we took, but no model's evidence needs it. A frame with anything else is
encoded by Python as before. tests/test_jsontext.py holds the equality over every code point and
a table of floats, and each refusal.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the store imports this module: the command line starts without polars
    import polars as pl


@dataclass(frozen=True, slots=True)
class EncodedJSON:
    """A JSON value encoded ahead: `stored` is the text the case store keeps (keys in their
    order: the lead page lays out the evidence table by it), `canonical` the text
    `tamper.policy.value_text` makes of the value (sorted keys, compact). `verify` recomputes
    the canonical form from the stored text, so both must decode to the same value."""

    stored: str
    canonical: str

    def value(self) -> Any:
        return json.loads(self.stored)


def store_serializer(value: Any) -> str:
    """The case store's JSON serializer (`create_engine(json_serializer=…)`): an encoded value
    as its stored text, anything else as SQLAlchemy's default writes it (`json.dumps`)."""
    if type(value) is EncodedJSON:
        return value.stored
    return json.dumps(value)


FLOAT_SAME_FROM = 1e-4
FLOAT_SAME_BELOW = 1e16
"""The magnitudes of 64-bit floats that polars and Python write alike (besides zero)."""


def encodable(frame: pl.DataFrame) -> bool:
    """Whether polars encodes every row of `frame` as `json.dumps` would (see the module)."""
    return all(_same_encoding(frame.get_column(name)) for name in frame.columns)


def _same_encoding(column: pl.Series) -> bool:
    import polars as pl

    dtype = column.dtype
    if dtype in (pl.String, pl.Boolean, pl.Null) or dtype.is_integer():
        return True
    if dtype == pl.Float64:
        finite = column.drop_nulls()
        magnitude = finite.abs()
        alike = (magnitude == 0) | ((magnitude >= FLOAT_SAME_FROM) & (magnitude < FLOAT_SAME_BELOW))
        return bool(finite.is_finite().all() and alike.all())
    if isinstance(dtype, pl.List):
        return _same_encoding(column.explode())
    return False


def rows_json(columns: Sequence[str], *, sort_keys: bool = False) -> pl.Expr:
    """Each row of `columns` as a JSON object (compact, unescaped); with `sort_keys`, its keys in
    the order `json.dumps(sort_keys=True)` gives them."""
    import polars as pl

    names = sorted(columns) if sort_keys else list(columns)
    return pl.struct(names).struct.json_encode()
