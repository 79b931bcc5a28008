"""What the demonstration county contains, so a run of the models can be checked against it.

The generator writes the agencies' files and, beside them, `manifest.json`: which file holds which
dataset and how to import it, which rows the importer must reject, and for each model the subjects
that must come out as leads and the near misses that must not. `shujian demo` imports the files,
runs the models and compares its leads with this list; a mismatch is a bug in the importer, a model
or the generator.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class Plant:
    """One planted case: a subject a model must report (`lead`) or must not (a near miss).

    `subject` is normalised the way leads name subjects: credit codes upper-case, ID numbers
    18 characters with upper-case X, project numbers as written. `figures` are the values that
    decide the case (distance and threshold, dates and deadline, amounts), for humans and tests.
    """

    model: str
    subject: str
    lead: bool
    description: str
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RejectedRow:
    """A row the importer must refuse, with the value that condemns it."""

    file_row: int
    """1-based row number as a spreadsheet user sees it (title and header rows counted)."""
    column: str
    """The header as written in the file."""
    value: str
    reason: str
    kind: str = ""
    """How the generator broke the value (`excel_truncated`, `wrong_check`, `letter_o`), so a
    check can tell the importer's reason by kind rather than by wording; empty in manifests
    written before kinds were recorded."""


@dataclass(frozen=True)
class DatasetFile:
    """One agency file and how to import it: `shujian import DATASET FILE --agency A [--crs C]`."""

    dataset: str
    file: str
    agency: str
    rows: int
    """Data rows in the file (excluding title, header and totals rows, including rejected ones)."""
    crs: str | None = None
    """CRS of the whole file when it has no 坐标系 column; None when not applicable or per row."""
    encoding: str | None = None
    """Text encoding of a CSV file, for reference (the importer is expected to detect it)."""
    sheet: str | None = None
    quirks: tuple[str, ...] = ()
    """What is messy about the file, in Chinese, so a reader knows what the importer overcame."""
    rejected_rows: tuple[RejectedRow, ...] = ()


@dataclass(frozen=True)
class DemoManifest:
    """Everything `generate_county` produced."""

    county: str
    region_code: str
    seed: int
    as_of: dt.date
    datasets: tuple[DatasetFile, ...]
    plants: tuple[Plant, ...]

    def leads(self, model: str) -> list[str]:
        """Subjects `model` must report."""
        return [p.subject for p in self.plants if p.model == model and p.lead]

    def near_misses(self, model: str) -> list[str]:
        """Subjects `model` must not report."""
        return [p.subject for p in self.plants if p.model == model and not p.lead]

    def models(self) -> list[str]:
        """Model ids with plants, in plant order."""
        return list(dict.fromkeys(p.model for p in self.plants))

    def dataset(self, dataset: str) -> DatasetFile:
        """The file entry of `dataset`."""
        return next(d for d in self.datasets if d.dataset == dataset)

    def to_json(self) -> dict[str, Any]:
        """The JSON document written to `manifest.json`."""

        def plant_json(p: Plant) -> dict[str, Any]:
            return {"subject": p.subject, "description": p.description, "figures": p.figures}

        return {
            "format": MANIFEST_FORMAT,
            "county": self.county,
            "region_code": self.region_code,
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "datasets": [_drop_none(asdict(d)) for d in self.datasets],
            "models": {
                model: {
                    "leads": [plant_json(p) for p in self.plants if p.model == model and p.lead],
                    "near_misses": [
                        plant_json(p) for p in self.plants if p.model == model and not p.lead
                    ],
                }
                for model in self.models()
            },
        }

    def write(self, out_dir: Path) -> Path:
        """Write `manifest.json` into `out_dir` (UTF-8, stable key order) and return its path."""
        path = out_dir / MANIFEST_FILE
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"
        path.write_text(text, encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> DemoManifest:
        """Read a `manifest.json` written by `write`."""
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        datasets = tuple(
            DatasetFile(
                **{
                    **d,
                    "quirks": tuple(d.get("quirks", ())),
                    "rejected_rows": tuple(RejectedRow(**r) for r in d.get("rejected_rows", ())),
                }
            )
            for d in doc["datasets"]
        )
        plants = tuple(
            Plant(model, p["subject"], kind == "leads", p["description"], p.get("figures", {}))
            for model, entry in doc["models"].items()
            for kind in ("leads", "near_misses")
            for p in entry[kind]
        )
        return cls(
            county=doc["county"],
            region_code=doc["region_code"],
            seed=doc["seed"],
            as_of=dt.date.fromisoformat(doc["as_of"]),
            datasets=datasets,
            plants=plants,
        )


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}
