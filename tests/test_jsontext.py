"""Evidence encoded column-wise in polars is what Python's json makes of the same values, and
polars is not used where it would write otherwise: the ledger's canonical text of a lead is
recomputed by `audit verify` from the stored text with Python, so one different character would
name every lead of a run as forged."""

from __future__ import annotations

import json
import math
import random
import struct
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, select
from sqlalchemy.types import JSON

from shujian.jsontext import EncodedJSON, encodable, rows_json, store_serializer
from shujian.store import insert_many
from shujian.tamper.policy import value_text


def _encoded(frame: pl.DataFrame) -> EncodedJSON:
    """The frame's rows as one evidence array, as the runner encodes a subject's rows."""
    stored, canonical = frame.select(
        rows_json(frame.columns).str.join(","),
        rows_json(frame.columns, sort_keys=True).str.join(",").alias("canonical"),
    ).row(0)
    return EncodedJSON(f"[{stored}]", f"[{canonical}]")


def _python(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The same rows as the runner made them before: dicts, encoded by Python."""
    return frame.to_dicts()


def _alike(frame: pl.DataFrame) -> None:
    encoded = _encoded(frame)
    rows = _python(frame)
    assert value_text(encoded) == value_text(rows)  # the ledger's digest input
    assert encoded.value() == rows  # what the store gives back
    assert list(encoded.value()[0]) == frame.columns  # the stored order of the columns
    # what `verify` recomputes from the stored text
    assert value_text(json.loads(encoded.stored)) == value_text(encoded)


def test_every_code_point_is_written_as_python_writes_it() -> None:
    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    texts = ["".join(points[i : i + 64]) for i in range(0, len(points), 64)]
    frame = pl.DataFrame({"姓名": texts, "b": [t[::-1] for t in texts]})
    assert encodable(frame)
    _alike(frame)


@pytest.mark.parametrize(
    "values",
    [
        [0.0, -0.0, 1.0, 580.5, 0.1 + 0.2, 1e-4, 9999999999999998.0, -123456.789012],
        [1234.56, None, 0.000123, 1e15],
    ],
)
def test_floats_in_the_range_polars_writes_alike(values: list[float | None]) -> None:
    frame = pl.DataFrame({"x": values}, schema={"x": pl.Float64})
    assert encodable(frame)
    _alike(frame)


def test_random_floats_in_the_range_are_written_alike() -> None:
    rng = random.Random(14)
    raw = [struct.unpack("d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(20000)]
    raw += [rng.uniform(-1, 1) * 10 ** rng.randint(-4, 15) for _ in range(20000)]
    kept = [v for v in raw if math.isfinite(v) and (v == 0 or 1e-4 <= abs(v) < 1e16)]
    frame = pl.DataFrame({"x": kept}, schema={"x": pl.Float64})
    assert encodable(frame)
    _alike(frame)


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([1e-5], pl.Float64),  # Python: 1e-05, polars: 0.00001
        ([7.166981517434221e-05], pl.Float64),
        ([1.5e-7], pl.Float64),  # Python: 1.5e-07, polars: 1.5e-7
        ([math.nan], pl.Float64),  # Python: NaN, polars: null
        ([math.inf], pl.Float64),
        ([0.1], pl.Float32),  # Python reads 0.10000000149011612, polars writes 0.1
        ([[1.0, 1e-5]], pl.List(pl.Float64)),
    ],
)
def test_floats_polars_writes_otherwise_are_refused(values: list[Any], dtype: Any) -> None:
    frame = pl.DataFrame({"x": values}, schema={"x": dtype})
    assert not encodable(frame)
    # the refusal is needed: polars does write these otherwise
    assert value_text(_encoded(frame)) != value_text(_python(frame))


@pytest.mark.parametrize(
    "frame",
    [
        pl.DataFrame({"d": [pl.Series([1]).cast(pl.Date)[0]]}),
        pl.DataFrame({"s": [{"a": 1}]}),
        pl.DataFrame({"c": ["甲"]}, schema={"c": pl.Categorical}),
    ],
    ids=["date", "struct", "categorical"],
)
def test_other_types_are_left_to_python(frame: pl.DataFrame) -> None:
    assert not encodable(frame)


def test_integers_booleans_nulls_and_lists_are_written_alike() -> None:
    frame = pl.DataFrame(
        {
            "z_last": [2**63 - 1, -(2**63), 0],
            "a_first": [True, False, None],
            "中文列": [None, None, None],
            "big": pl.Series([2**64 - 1, 0, 7], dtype=pl.UInt64),
            "tags": [["甲", 'a"b\\c'], [], None],
            "months": [[1, 2], [None], [3]],
            "amounts": [[580.5, 0.0], None, [1e-4]],
        }
    )
    assert encodable(frame)
    _alike(frame)


def test_the_store_writes_the_stored_text_and_reads_the_value_back(tmp_path: Any) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}", json_serializer=store_serializer)
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("j", JSON))
    table.metadata.create_all(engine)
    frame = pl.DataFrame({"名称": ["某网吧", "x\u2028y"], "distance_m": [123.4, 0.0]})
    encoded = _encoded(frame)
    with engine.begin() as conn:
        insert_many(conn, table, [{"id": 1, "j": encoded}, {"id": 2, "j": _python(frame)}])
        raw = dict(conn.exec_driver_sql("SELECT id, j FROM t").all())
        back = dict(conn.execute(select(table.c.id, table.c.j)).all())
    assert raw[1] == encoded.stored  # the text made column-wise, as it was made
    assert raw[2] == json.dumps(_python(frame))  # other values as SQLAlchemy always wrote them
    assert back[1] == back[2] == _python(frame)
    assert value_text(back[1]) == value_text(encoded)
