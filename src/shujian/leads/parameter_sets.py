"""The parameters a lead was found with, stored once per set (`parameter_sets`, migration 0023).

A run used to store a full copy of its model's parameters on every lead it wrote (115 MB of a
281 MB leads table on the city benchmark). Now a run stores its set once, keyed by the SHA-256 of
its canonical JSON, and each lead names the set (`leads.parameter_set`, its `parameters` JSON
null). Leads written before keep their own copy: history is not rewritten. `fill` gives readers
the parameters of either kind.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shujian.leads.store import parameter_sets


def digest_of(parameters: Mapping[str, Any]) -> str:
    """The key of a parameter set: SHA-256 of its JSON with sorted keys."""
    text = json.dumps(
        parameters, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def store(conn: Connection, parameters: Mapping[str, Any]) -> str:
    """Store the set unless it is stored already (inside the caller's transaction); its key.

    Two runs storing the same new set at once (PostgreSQL) both succeed: the second insert does
    nothing (ON CONFLICT DO NOTHING), the set being the same by its key."""
    digest = digest_of(parameters)
    held = conn.execute(
        select(parameter_sets.c.digest).where(parameter_sets.c.digest == digest)
    ).first()
    if held is None:
        dialect = conn.dialect.name
        make = pg_insert if dialect == "postgresql" else sqlite_insert
        conn.execute(
            make(parameter_sets)
            .values(digest=digest, parameters=dict(parameters))
            .on_conflict_do_nothing(index_elements=["digest"])
        )
    return digest


def fill(conn: Connection, rows: Sequence[MutableMapping[str, Any]]) -> None:
    """Give each lead row (read with its `parameters` and `parameter_set`) its parameters: its own
    copy when it has one (written before migration 0023), else its set's."""
    wanted = {
        r["parameter_set"] for r in rows if r.get("parameters") is None and r.get("parameter_set")
    }
    if not wanted:
        return
    sets = dict(
        conn.execute(
            select(parameter_sets.c.digest, parameter_sets.c.parameters).where(
                parameter_sets.c.digest.in_(sorted(wanted))
            )
        ).all()
    )
    for r in rows:
        if r.get("parameters") is None and r.get("parameter_set") in sets:
            r["parameters"] = sets[r["parameter_set"]]
