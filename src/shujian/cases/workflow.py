"""Case kinds (办案类型) and their workflows, declared one file per kind in `workflows/`.

A workflow is data rather than conditionals so that the legal steps, their Chinese labels, their
deadlines and what they count for in the statistics can be read and checked in one place, and a
new kind of case (附条件不起诉考察, 督促监护, 支持起诉, 信访 …) added as a file without touching
the service. The file name is the kind's id, recorded on each case (`cases.case_kind`). Each file
is validated on load: a typo in a state, field, deadline, document kind or statistic fails at
once, not halfway through a case.

The step fields are declared here too, so reading `送达方式=书面送达` and showing a recorded
value beside its Chinese label are pure functions every front end (command line, web) shares.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from shujian import yamlfile
from shujian.errors import UserError

WORKFLOWS_DIR = Path(__file__).with_name("workflows")
DEFAULT_CASE_KIND = "recommendation"
"""The kind of every case opened before there were several (today's 检察建议 workflow)."""


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
    formerly: tuple[str, ...] = ()
    """Ids the field was recorded under by earlier versions (history is never rewritten, so
    readers look for these too): 回复结果 was `outcome` before 成效 took that word."""
    minimum: int = 0
    """The least whole number a `count` field takes (`min: 1`: 救助人数 counts someone)."""


@dataclass(frozen=True)
class PeriodRule:
    """One way of counting a period: whole months or calendar days, with its legal basis.

    `cite` is the provision a document names beside the period (《…》第N条); `by_category` gives
    another provision for a kind of recommendation (category id → cite). Only the citation varies
    by kind, never the period: the schema has no way to say otherwise, so a case's due date does
    not depend on which kind of recommendation it issued.
    """

    basis: str
    months: int | None = None
    days: int | None = None
    cite: str = ""
    by_category: tuple[tuple[str, str], ...] = ()

    def cite_for(self, category: str | None) -> str:
        """The provision a document of `category` cites for this period."""
        return dict(self.by_category).get(category or "", self.cite)


@dataclass(frozen=True)
class DeadlineRule:
    id: str
    label: str
    standard: PeriodRule
    juvenile: PeriodRule | None = None
    urgent: PeriodRule | None = None
    setting: str | None = None
    """A `shujian.toml` setting (`section.name`, a number of days) that replaces the standard
    period's days in a workspace (a target a procuratorate sets itself, such as the 支持起诉
    centre's 受理 and 审查 times); the declared `days` are its default."""


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
class Figure:
    """A figure of the statistics: which steps count for it, on their date."""

    id: str
    label: str
    actions: tuple[str, ...]
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Only steps whose field has one of these values."""
    in_time: bool = False
    """Only steps that ended their running deadline on or before its last day."""
    sum: str | None = None
    """Add up this numeric field of the steps (people helped, yuan recovered) instead of
    counting the steps."""
    ratio: tuple[str, str] | None = None
    """A rate, not a count: figure a / figure b of the same kind (受理按期率); no actions."""


@dataclass(frozen=True)
class Workflow:
    states: dict[str, State]
    fields: dict[str, FieldSpec]
    deadlines: dict[str, DeadlineRule]
    transitions: tuple[Transition, ...] = field(default_factory=tuple)
    steps: dict[str, str] = field(default_factory=dict)
    """Recorded steps that leave the state as it is: action → Chinese label."""
    kind: str = DEFAULT_CASE_KIND
    kind_label: str = "检察建议"
    recorded_fields: dict[str, str] = field(default_factory=dict)
    """Values the service records on steps besides the declared fields: key → Chinese label."""
    statistics: tuple[Figure, ...] = ()
    opens_without_leads: bool = False
    """A case of this kind may be opened from an application alone, with no lead (支持起诉)."""
    dimensions: dict[str, str] = field(default_factory=dict)
    """Fields of the opening step the statistics may be grouped by (field id → Chinese label),
    e.g. 申请人类别."""
    hidden_fields: frozenset[str] = frozenset()
    """Values every opening records that mean nothing for this kind (a 支持起诉 case is never
    urgent nor a juvenile-protection recommendation): kept, not shown."""
    records_outcomes: bool = True
    """Whether 成效 (`cases.outcomes`: 追缴资金, 整改经营主体 …) are recorded on a case of this
    kind; `outcomes: false` for a kind whose steps record its own results (支持起诉's 帮助人数
    and 追回金额 at 结案, 司法救助's amount decided)."""

    def recorded(self, fields: Mapping[str, Any] | None, field: str) -> Any:
        """A field's value as a step recorded it, under its id or an id it had before."""
        if not fields:
            return None
        spec = self.fields.get(field)
        for key in (field, *(spec.formerly if spec else ())):
            if key in fields:
                return fields[key]
        return None

    def action_label(self, action: str) -> str:
        tr = self.by_action(action)
        return tr.label if tr else self.steps.get(action, action)

    def allowed(self, state: str) -> list[Transition]:
        """Transitions that may leave `state`, in declared order."""
        return [t for t in self.transitions if state in t.sources]

    def available(self, state: str, latest: Mapping[str, Any]) -> list[Transition]:
        """Transitions that may leave `state` now: those whose guard holds on the case's
        `latest` recorded values (field → value, absent when never recorded).

        What a case page offers and what a refusal lists: an objection step (guarded by
        回复结果 = 提出异议) is not offered after a reply that raised none.
        """
        return [t for t in self.allowed(state) if all(latest.get(f) == v for f, v in t.when)]

    def guarded_fields(self, state: str) -> list[str]:
        """The fields the guards of the transitions leaving `state` look at."""
        return list(dict.fromkeys(f for t in self.allowed(state) for f, _ in t.when))

    def by_action(self, action: str) -> Transition | None:
        """The transition named by its id (`serve`) or its Chinese label (`送达检察建议书`)."""
        for t in self.transitions:
            if action in (t.action, t.label):
                return t
        return None

    @property
    def opening(self) -> Transition:
        """The one transition with no source state: it opens a case of this kind."""
        return next(t for t in self.transitions if not t.sources)

    def label(self, state: str) -> str:
        return self.states[state].label

    def is_terminal(self, state: str) -> bool:
        return self.states[state].terminal


def _period(raw: dict[str, Any], where: str) -> PeriodRule:
    months, days = raw.get("months"), raw.get("days")
    if (months is None) == (days is None):
        raise ValueError(f"{where}: give exactly one of months or days")
    by_category = raw.get("by_category") or {}
    if not isinstance(by_category, dict) or not all(
        isinstance(v, str) for v in by_category.values()
    ):
        raise ValueError(f"{where}: by_category maps a category id to the provision it cites")
    return PeriodRule(
        basis=str(raw["basis"]),
        months=months,
        days=days,
        cite=str(raw.get("cite", "")),
        by_category=tuple(sorted((str(k), v) for k, v in by_category.items())),
    )


def _setting(raw: dict[str, Any], where: str) -> str | None:
    name = raw.get("setting")
    if name is None:
        return None
    if raw.get("days") is None or "." not in str(name):
        raise ValueError(f"{where}: a `setting` (section.name) replaces a period of `days`")
    return str(name)


def _transition(
    t: dict[str, Any],
    states: Mapping[str, State],
    fields: Mapping[str, FieldSpec],
    deadlines: Mapping[str, DeadlineRule],
    document_kinds: Collection[str] | None,
) -> Transition:
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
    if tr.document and document_kinds is not None and tr.document not in document_kinds:
        raise ValueError(f"transition {tr.action}: unknown document kind {tr.document!r}")
    return tr


def _figures(
    raw: Iterable[dict[str, Any]],
    transitions: Mapping[str, Transition],
    steps: Mapping[str, str],
    fields: Mapping[str, FieldSpec],
) -> tuple[Figure, ...]:
    figures: list[Figure] = []
    for f in raw:
        ratio = f.get("ratio")
        if ratio is not None and (
            not isinstance(ratio, list) or len(ratio) != 2 or f.get("actions")
        ):
            raise ValueError(f"statistic {f.get('id')}: a ratio names two figures and no action")
        fig = Figure(
            id=str(f["id"]),
            label=str(f["label"]),
            actions=tuple(f.get("actions") or ()),
            when=tuple(
                (str(k), tuple(str(v) for v in (vs if isinstance(vs, list) else [vs])))
                for k, vs in (f.get("when") or {}).items()
            ),
            in_time=bool(f.get("in_time", False)),
            sum=str(f["sum"]) if f.get("sum") else None,
            ratio=(str(ratio[0]), str(ratio[1])) if ratio else None,
        )
        if fig.ratio is not None:
            if fig.actions or len(ratio or ()) != 2:
                raise ValueError(f"statistic {fig.id}: a ratio names two figures and no action")
            unknown = [r for r in fig.ratio if r not in {x.id for x in figures}]
            if unknown:
                raise ValueError(f"statistic {fig.id}: ratio of undeclared figures {unknown!r}")
            figures.append(fig)
            continue
        if not fig.actions:
            raise ValueError(f"statistic {fig.id}: names no action")
        if fig.sum is not None and fields.get(fig.sum, FieldSpec("", "")).kind not in NUMERIC:
            raise ValueError(f"statistic {fig.id}: sums {fig.sum!r}, not a numeric field")
        for a in fig.actions:
            if a not in transitions and a not in steps:
                raise ValueError(f"statistic {fig.id}: unknown action {a!r}")
            if fig.in_time and not (a in transitions and transitions[a].ends_deadline):
                raise ValueError(f"statistic {fig.id}: {a!r} ends no deadline to be in time for")
        for fid, values in fig.when:
            spec = fields.get(fid)
            if spec is None or (spec.choices and not set(values) <= set(spec.choices)):
                raise ValueError(f"statistic {fig.id}: bad condition {fid}={list(values)!r}")
        figures.append(fig)
    ids = [f.id for f in figures]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate statistic id")
    return tuple(figures)


NUMERIC = ("money", "count")
"""Field kinds whose values the statistics may add up: yuan (read like agency files: 1.5万元)
and whole numbers (people)."""


def _check_field_kinds(raw: dict[str, Any]) -> None:
    for fid, f in raw.items():
        if f.get("kind", "text") not in ("text", "bool", *NUMERIC):
            raise ValueError(f"field {fid}: unknown kind {f.get('kind')!r}")
        if "min" in f and f.get("kind") != "count":
            raise ValueError(f"field {fid}: only a count field takes a minimum")


def parse_workflow(
    raw: dict[str, Any],
    kind: str = DEFAULT_CASE_KIND,
    document_kinds: Collection[str] | None = None,
) -> Workflow:
    """Build and validate a `Workflow` from the parsed YAML mapping.

    `document_kinds`, when given, are the declared document kinds a transition may issue.
    """
    states = {
        s["id"]: State(s["id"], s["label"], bool(s.get("terminal", False))) for s in raw["states"]
    }
    _check_field_kinds(raw["fields"])
    fields = {
        fid: FieldSpec(
            fid,
            f["label"],
            tuple(f.get("choices", ())),
            f.get("kind", "text"),
            tuple(f.get("formerly", ())),
            int(f.get("min", 0)),
        )
        for fid, f in raw["fields"].items()
    }
    deadlines = {
        did: DeadlineRule(
            id=did,
            label=d["label"],
            standard=_period(d, did),
            juvenile=_period(d["juvenile"], f"{did}.juvenile") if "juvenile" in d else None,
            urgent=_period(d["urgent"], f"{did}.urgent") if "urgent" in d else None,
            setting=_setting(d, did),
        )
        for did, d in (raw.get("deadlines") or {}).items()
    }
    transitions = [
        _transition(t, states, fields, deadlines, document_kinds) for t in raw["transitions"]
    ]
    actions = [t.action for t in transitions]
    if len(set(actions)) != len(actions):
        raise ValueError("duplicate transition action")
    if sum(1 for t in transitions if not t.sources) != 1:
        raise ValueError(f"workflow {kind}: exactly one transition must open a case (no `from`)")
    steps = {str(k): str(v) for k, v in (raw.get("steps") or {}).items()}
    figures = _figures(
        raw.get("statistics") or (), {t.action: t for t in transitions}, steps, fields
    )
    dimensions = {str(k): fields[str(k)].label for k in raw.get("dimensions") or ()}
    opening = next(t for t in transitions if not t.sources)
    for d in dimensions:
        if d not in (*opening.requires, *opening.optional):
            raise ValueError(f"workflow {kind}: dimension {d!r} is not a field of the opening step")
    return Workflow(
        states,
        fields,
        deadlines,
        tuple(transitions),
        steps,
        kind=kind,
        kind_label=str(raw.get("label", kind)),
        recorded_fields={str(k): str(v) for k, v in (raw.get("recorded_fields") or {}).items()},
        statistics=figures,
        opens_without_leads=bool(raw.get("opens_without_leads", False)),
        dimensions=dimensions,
        hidden_fields=frozenset(str(f) for f in raw.get("hidden_fields") or ()),
        records_outcomes=bool(raw.get("outcomes", True)),
    )


def read_workflow(path: Path, document_kinds: Collection[str] | None = None) -> Workflow:
    """A workflow file; its name is the kind's id."""
    with path.open(encoding="utf-8") as fh:
        return parse_workflow(yamlfile.load(fh), path.stem, document_kinds)


def case_kinds() -> dict[str, str]:
    """The declared case kinds, id → Chinese label: one per file in `workflows/`."""
    return {kind: load_workflow(kind).kind_label for kind in _kind_ids()}


@lru_cache(maxsize=1)
def _kind_ids() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in WORKFLOWS_DIR.glob("*.yaml")))


def load_workflow(kind: str = DEFAULT_CASE_KIND) -> Workflow:
    """The declared workflow of case kind `kind` (id or Chinese label; cached per process)."""
    for k in _kind_ids():
        if kind == k:
            return _load(k)
    for k in _kind_ids():
        if _load(k).kind_label == kind:
            return _load(k)
    labels = "、".join(f"{_load(k).kind_label}（{k}）" for k in _kind_ids())
    raise UserError(f"未知的办案类型“{kind}”。可选：{labels}。", code="unknown_case_kind")


@cache
def _load(kind: str) -> Workflow:
    from shujian.cases.documents.kinds import load_document_kinds

    return read_workflow(WORKFLOWS_DIR / f"{kind}.yaml", set(load_document_kinds()))


# -- step fields: reading them from text and showing them ------------------------------------

COMMON_RECORDED_FIELDS = {
    "lead_ids": "线索",
    "department": "承办部门",
    "prosecutor": "承办检察官",
    "deadline_due": "期限届满日",
    "ended_deadline": "期限",
    "confirmed_stale": "经确认成案的不再命中线索",
    "recomputed_deadline": "重新计算的期限",
    "old_due": "原届满日",
    "new_due": "现届满日",
    "provisional_years": "暂定年份",
}
"""What the case service records on steps of every kind, besides the declared fields."""

YES = ("是", "true")
NO = ("否", "false")


def field_label(workflow: Workflow, key: str) -> str:
    """The Chinese label of a value recorded on a step (the key itself when none is declared)."""
    spec = workflow.fields.get(key) or next(
        (f for f in workflow.fields.values() if key in f.formerly), None
    )
    if spec:
        return spec.label
    return workflow.recorded_fields.get(key) or COMMON_RECORDED_FIELDS.get(key, key)


def field_text(value: Any) -> str:
    """A recorded value as a reader sees it: 是/否, lists joined, an ended deadline explained."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(map(str, value))
    if isinstance(value, dict) and "due" in value:
        return f"{value['due']} 届满，{'按期' if value.get('in_time') else '逾期'}"
    return str(value)


def field_spec(workflow: Workflow, key: str) -> FieldSpec:
    """A declared field by id (`service_method`), a former id or Chinese label (`送达方式`)."""
    spec = next((f for f in workflow.fields.values() if key in (f.id, f.label, *f.formerly)), None)
    if spec is None:
        names = "、".join(f"{f.label}（{f.id}）" for f in workflow.fields.values())
        raise UserError(f"未知字段“{key}”。可用字段：{names}。", code="unknown_field")
    return spec


def parse_field_value(spec: FieldSpec, text: str) -> Any:
    """A field's value from text: 是/否 (or true/false) for yes-or-no fields, else the text.

    Choices are checked by the workflow when the step is taken, so the refusal is the same
    whichever front end the value came from.
    """
    if spec.kind == "bool":
        if text not in (*YES, *NO):
            raise UserError(f"{spec.label}只能是“是”或“否”。", code="bad_field_value")
        return text in YES
    if spec.kind in NUMERIC:
        return numeric_value(spec, text)
    return text


def numeric_value(spec: FieldSpec, value: Any) -> str | int:
    """A money field as its yuan in text (exact: "15000.00"), a count as a whole number ≥ 0;
    refused in Chinese otherwise. Read like agency files: 1.5万元, ¥1,900,000.00."""
    if spec.kind == "money":
        from shujian.cases.outcomes import parse_amount

        try:
            amount = parse_amount(str(value))
        except UserError as e:
            raise UserError(f"{spec.label}：{e.message}", code="bad_field_value") from None
        if amount < 0:
            raise UserError(f"{spec.label}不能为负数。", code="bad_field_value")
        return str(amount)
    text = str(value).strip().removesuffix("人").removesuffix("名").strip()
    if not text.isdigit() or int(text) < spec.minimum:
        raise UserError(
            f"{spec.label}应为不小于 {spec.minimum} 的整数，收到“{value}”。", code="bad_field_value"
        )
    return int(text)


def parse_field_pairs(workflow: Workflow, pairs: Iterable[str]) -> dict[str, Any]:
    """`字段=值` pairs (field id or Chinese label) → field id → value."""
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise UserError(
                f"“{pair}”格式不对，应为 字段=值，例如 送达方式=宣告送达。", code="bad_field_pair"
            )
        key, value = (p.strip() for p in pair.split("=", 1))
        spec = field_spec(workflow, key)
        out[spec.id] = parse_field_value(spec, value)
    return out
