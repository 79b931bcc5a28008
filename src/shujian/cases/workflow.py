"""Load the case state machine declared in `states.yaml`.

The workflow is data rather than conditionals so that the legal steps, their Chinese labels and
their deadlines can be read and checked in one place, and changed without touching the service.
The file is validated on load: a typo in a state or deadline name fails at once, not halfway
through a case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

STATES_FILE = Path(__file__).with_name("states.yaml")


@dataclass(frozen=True)
class State:
    id: str
    label: str
    terminal: bool = False


@dataclass(frozen=True)
class FieldSpec:
    id: str
    label: str
    choices: tuple[str, ...] = ()
    kind: str = "text"


@dataclass(frozen=True)
class PeriodRule:
    """One way of counting a period: whole months or calendar days, with its legal basis."""

    basis: str
    months: int | None = None
    days: int | None = None


@dataclass(frozen=True)
class DeadlineRule:
    id: str
    label: str
    standard: PeriodRule
    juvenile: PeriodRule | None = None
    urgent: PeriodRule | None = None


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    requires: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    starts_deadline: str | None = None
    ends_deadline: bool = False
    document: str | None = None
    when: tuple[tuple[str, str], ...] = ()
    """Guard: (field, value) pairs the case's latest recorded values must have."""


@dataclass(frozen=True)
class Workflow:
    states: dict[str, State]
    fields: dict[str, FieldSpec]
    deadlines: dict[str, DeadlineRule]
    transitions: tuple[Transition, ...] = field(default_factory=tuple)
    steps: dict[str, str] = field(default_factory=dict)
    """Recorded steps that leave the state as it is: action → Chinese label."""

    def action_label(self, action: str) -> str:
        tr = self.by_action(action)
        return tr.label if tr else self.steps.get(action, action)

    def allowed(self, state: str) -> list[Transition]:
        """Transitions that may leave `state`, in declared order."""
        return [t for t in self.transitions if state in t.sources]

    def by_action(self, action: str) -> Transition | None:
        """The transition named by its id (`serve`) or its Chinese label (`送达检察建议书`)."""
        for t in self.transitions:
            if action in (t.action, t.label):
                return t
        return None

    def label(self, state: str) -> str:
        return self.states[state].label

    def is_terminal(self, state: str) -> bool:
        return self.states[state].terminal


def _period(raw: dict[str, Any], where: str) -> PeriodRule:
    months, days = raw.get("months"), raw.get("days")
    if (months is None) == (days is None):
        raise ValueError(f"{where}: give exactly one of months or days")
    return PeriodRule(basis=str(raw["basis"]), months=months, days=days)


def parse_workflow(raw: dict[str, Any]) -> Workflow:
    """Build and validate a `Workflow` from the parsed YAML mapping."""
    states = {
        s["id"]: State(s["id"], s["label"], bool(s.get("terminal", False))) for s in raw["states"]
    }
    fields = {
        fid: FieldSpec(fid, f["label"], tuple(f.get("choices", ())), f.get("kind", "text"))
        for fid, f in raw["fields"].items()
    }
    deadlines = {
        did: DeadlineRule(
            id=did,
            label=d["label"],
            standard=_period(d, did),
            juvenile=_period(d["juvenile"], f"{did}.juvenile") if "juvenile" in d else None,
            urgent=_period(d["urgent"], f"{did}.urgent") if "urgent" in d else None,
        )
        for did, d in raw["deadlines"].items()
    }
    transitions: list[Transition] = []
    for t in raw["transitions"]:
        tr = Transition(
            action=t["action"],
            label=t["label"],
            sources=tuple(t.get("from") or ()),
            target=t["to"],
            requires=tuple(t.get("requires") or ()),
            optional=tuple(t.get("optional") or ()),
            starts_deadline=t.get("starts_deadline"),
            ends_deadline=bool(t.get("ends_deadline", False)),
            document=t.get("document"),
            when=tuple((str(k), str(v)) for k, v in (t.get("when") or {}).items()),
        )
        for s in (*tr.sources, tr.target):
            if s not in states:
                raise ValueError(f"transition {tr.action}: unknown state {s!r}")
        for f in (*tr.requires, *tr.optional):
            if f not in fields:
                raise ValueError(f"transition {tr.action}: unknown field {f!r}")
        for f, value in tr.when:
            spec = fields.get(f)
            if spec is None or (spec.choices and value not in spec.choices):
                raise ValueError(f"transition {tr.action}: bad guard {f}={value!r}")
        if tr.starts_deadline and tr.starts_deadline not in deadlines:
            raise ValueError(f"transition {tr.action}: unknown deadline {tr.starts_deadline!r}")
        if any(states[s].terminal for s in tr.sources):
            raise ValueError(f"transition {tr.action}: leaves a terminal state")
        transitions.append(tr)
    actions = [t.action for t in transitions]
    if len(set(actions)) != len(actions):
        raise ValueError("duplicate transition action")
    steps = {str(k): str(v) for k, v in (raw.get("steps") or {}).items()}
    return Workflow(states, fields, deadlines, tuple(transitions), steps)


@lru_cache(maxsize=1)
def load_workflow(path: Path = STATES_FILE) -> Workflow:
    """The bundled case workflow (cached: it is read once per process)."""
    with path.open(encoding="utf-8") as fh:
        return parse_workflow(yaml.safe_load(fh))
