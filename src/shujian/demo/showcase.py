"""`shujian demo`: build the demonstration county, import it, run every model, check the result.

The generator plants violations and near misses; this module imports the county's files the way
an IT colleague would, runs every shipped model as of the county's date and compares the leads
with the plants, so the demonstration is also an end-to-end check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shujian.data.datasets import load_datasets
from shujian.data.importer import ImportOptions, ImportResult, import_file
from shujian.data.warehouse import Warehouse
from shujian.demo.background import Generation
from shujian.demo.case import DemoCase, walk_sample_case
from shujian.demo.casework import DemoCasework, configure_workspace, plant_casework
from shujian.demo.county import REGION_CODE
from shujian.demo.folder import FILES, prepare_directory
from shujian.demo.generate import generate_county
from shujian.demo.manifest import DemoManifest
from shujian.demo.names import COUNTY
from shujian.models.beside import SecondProcess
from shujian.models.check_cache import CheckCache
from shujian.models.runner import RunReport, run_models
from shujian.models.spec import load_library
from shujian.workspace import Region, Workspace, init_workspace, open_workspace


@dataclass
class ModelCheck:
    model: str
    name: str
    leads: int
    planted: int
    found_planted: int
    near_misses: int
    near_misses_flagged: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    unplanned: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missed or self.near_misses_flagged or self.unplanned)


@dataclass
class DemoResult:
    workspace: Workspace
    manifest: DemoManifest
    imports: list[ImportResult]
    report: RunReport
    checks: list[ModelCheck]
    case: DemoCase | None = None
    casework: DemoCasework | None = None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def build_demo(
    directory: Path,
    seed: int = 2026,
    on_case: Callable[[DemoCase], None] | None = None,
    generation: Generation | None = None,
) -> DemoResult:
    """The demonstration built in `directory`.

    `generation`: the county's generation already started by the caller in a process of its
    own, into `directory`/agency-files (the caller prepared `directory`); without it the county
    is generated here. `on_case` is told of the sample case as soon as its recommendation is
    written (the demo command starts the PDF preview there, beside the rest of the work).
    """
    directory = directory.resolve()
    if generation is None:
        prepare_directory(directory)
    # a second process checks the shipped models while the county is generated and imported
    # (the demonstration's workspace declares nothing of its own), then evaluates half of them
    beside = SecondProcess(list(load_library().values()), load_datasets())
    with beside:
        return _build(directory, seed, on_case, generation, beside)


def _build(
    directory: Path,
    seed: int,
    on_case: Callable[[DemoCase], None] | None,
    generation: Generation | None,
    beside: SecondProcess,
) -> DemoResult:
    files_dir = directory / FILES
    try:
        # the workspace is made meanwhile: its region is the county's, known beforehand
        made = init_workspace(
            directory / "workspace",
            region=Region(
                province="贵州省",
                city="六盘水市",
                county=COUNTY,
                code=REGION_CODE,
                procuratorate=f"{COUNTY}人民检察院",
                abbreviation=COUNTY[:1],
            ),
        )
        manifest = (
            generation.manifest() if generation is not None else generate_county(files_dir, seed)
        )
    finally:
        if generation is not None:
            generation.stop()
    made.store.dispose()
    configure_workspace(made.root)
    ws = open_workspace(made.root)
    imports = import_county(ws, files_dir, manifest)
    library = load_library(ws.models_dir)
    beside.keep_into(CheckCache(ws.root))
    report = run_models(ws, library, list(library), manifest.as_of, beside=beside)
    beside.close()
    checks = compare(report, manifest)
    case = walk_sample_case(ws, library, manifest.county, manifest.as_of)
    if case is not None and on_case is not None:
        on_case(case)
    casework = plant_casework(
        ws, library, manifest.as_of, seed, case.case_id if case is not None else None
    )
    return DemoResult(ws, manifest, imports, report, checks, case, casework)


def import_county(ws: Workspace, files_dir: Path, manifest: DemoManifest) -> list[ImportResult]:
    """Every agency file of the county, imported as its manifest says (sheet, coordinate
    system, agency)."""
    datasets = ws.datasets()
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    return [
        import_file(
            warehouse,
            ws.reports_dir,
            datasets[f.dataset],
            files_dir / f.file,
            ImportOptions(sheet=f.sheet, crs=f.crs, agency=f.agency),
        )
        for f in manifest.datasets
    ]


def compare(report: RunReport, manifest: DemoManifest) -> list[ModelCheck]:
    checks = []
    for outcome in report.outcomes:
        model = outcome.model.id
        found = {f.subject for f in outcome.findings}
        planted = set(manifest.leads(model))
        near = set(manifest.near_misses(model))
        checks.append(
            ModelCheck(
                model=model,
                name=outcome.model.name,
                leads=len(found),
                planted=len(planted),
                found_planted=len(found & planted),
                near_misses=len(near),
                near_misses_flagged=sorted(found & near),
                missed=sorted(planted - found),
                unplanned=sorted(found - planted - near),
            )
        )
    return checks
