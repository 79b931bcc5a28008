"""Build the demonstration county and write its files: the one entry point of `shujian.demo`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from shujian.demo.arrears import build_arrears
from shujian.demo.benefits import build_benefits, build_custody, build_deaths
from shujian.demo.campus import build_schools, build_venues
from shujian.demo.county import (
    AS_OF,
    REGION_CODE,
    County,
    arrange,
    arrange_arrears,
    arrange_juvenile,
)
from shujian.demo.files import WRITERS
from shujian.demo.health import build_reports, build_visits
from shujian.demo.hotels import build_checkins, build_hotels
from shujian.demo.juvenile import build_juvenile
from shujian.demo.manifest import DemoManifest, Plant
from shujian.demo.names import COUNTY
from shujian.demo.penalties import build_penalties
from shujian.demo.people import build_offences, build_staff, build_units
from shujian.demo.plants import PLANTERS
from shujian.demo.plants_arrears import plant_wage_refusal
from shujian.demo.plants_juvenile import (
    plant_dropout_not_returned,
    plant_escalation,
    plant_unassigned,
    plant_visit_missing,
)
from shujian.demo.plants_netcafe import plant_netcafes
from shujian.demo.plants_support import plant_wage_support
from shujian.demo.projects import build_contractors, build_deposits, build_projects
from shujian.demo.registry import build_medical, build_registry
from shujian.demo.soil import build_developers, build_soil

DEFAULT_SEED = 2026

BACKGROUND: tuple[Callable[[County], None], ...] = (
    build_schools,
    build_venues,
    build_units,
    build_staff,
    build_offences,
    build_contractors,
    build_projects,
    build_deposits,
    build_hotels,
    build_checkins,
    build_registry,
    build_medical,
    build_visits,
    build_reports,
    build_developers,
    build_soil,
    build_penalties,
    build_benefits,
    build_custody,
    build_deaths,
)
"""The ordinary county, built in this order (later steps read what earlier ones made)."""


JUVENILE: tuple[Callable[[County], None], ...] = (
    build_juvenile,
    plant_visit_missing,
    plant_unassigned,
    plant_escalation,
    plant_dropout_not_returned,
    plant_netcafes,
)
"""The juvenile datasets (护苗 / 预警), their background and then their plants: built after the
rest of the county, whose schools and 网吧 they use, so that adding them left every earlier file
as it was, byte for byte (the county's random numbers are drawn in the same order)."""


ARREARS: tuple[Callable[[County], None], ...] = (
    build_arrears,
    plant_wage_refusal,
    plant_wage_support,
)
"""Labour inspection's wage arrears, background and plants (`wage.refusal_not_transferred`):
built last, for the same reason as `JUVENILE`. Its near miss transferred on the 衔接平台 adds a
line to the transfer platform's file, the one earlier file it changes."""


def build_county(seed: int = DEFAULT_SEED) -> County:
    """The county in memory: the ordinary background first, then the plants, then row order;
    then the juvenile datasets and their row order; then the wage arrears and theirs."""
    county = County.empty(seed)
    for step in BACKGROUND:
        step(county)
    for plant in PLANTERS:
        plant(county)
    arrange(county)
    for step in JUVENILE:
        step(county)
    arrange_juvenile(county)
    for step in ARREARS:
        step(county)
    arrange_arrears(county)
    return county


def _grouped(plants: list[Plant]) -> tuple[Plant, ...]:
    """Plants by model (in planting order), leads before near misses, as the manifest lists them."""
    models = list(dict.fromkeys(p.model for p in plants))
    return tuple(sorted(plants, key=lambda p: (models.index(p.model), not p.lead)))


def generate_county(out_dir: Path, seed: int = DEFAULT_SEED) -> DemoManifest:
    """Write one file per dataset and `manifest.json` into `out_dir`; return the manifest.

    The same seed gives byte-identical files, so a demonstration can be reproduced and a failing
    comparison investigated.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    county = build_county(seed)
    manifest = DemoManifest(
        county=COUNTY,
        region_code=REGION_CODE,
        seed=seed,
        as_of=AS_OF,
        datasets=tuple(write(county, out_dir) for write in WRITERS),
        plants=_grouped(county.plants),
    )
    manifest.write(out_dir)
    return manifest
