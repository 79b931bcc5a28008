"""The pure rules of 国家司法救助: the grounds declared as data, the cap on the amount, the
amount's checks (the cap, its lawful excess, the fast track's limit) and the figures per ground.

No store, no settings file: the service passes what they need, so each rule is tested by a table
(tests/judicial_aid/test_rules.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from shujian import yamlfile
from shujian.errors import UserError

DECLARATIONS = Path(__file__).with_name("declarations.yaml")


@dataclass(frozen=True)
class Ground:
    label: str
    text: str
    tag: str


@dataclass(frozen=True)
class Declarations:
    source: str
    rule: str
    grounds: tuple[Ground, ...]
    cap: str

    def ground(self, label: str) -> Ground:
        for g in self.grounds:
            if label == g.label:
                return g
        raise UserError(
            f"救助情形只能是：{'、'.join(g.label for g in self.grounds)}。", code="bad_ground"
        )


@cache
def declarations() -> Declarations:
    with DECLARATIONS.open(encoding="utf-8") as fh:
        raw = yamlfile.load(fh)
    return Declarations(
        source=str(raw["source"]),
        rule=str(raw["rule"]),
        grounds=tuple(
            Ground(str(g["label"]), str(g["text"]), str(g["tag"])) for g in raw["grounds"]
        ),
        cap=str(raw["cap"]),
    )


def yuan(value: Decimal) -> str:
    """An amount as the documents and pages write it: 12,345.00."""
    return f"{value.quantize(Decimal('0.01')):,}"


def cap(monthly_wage: int | None, months: int, source: str) -> Decimal:
    """The usual most: `months` of the province's 上一年度职工月平均工资. Refused in Chinese when
    the workspace has not set the wage or its source (nobody may decide an amount against an
    unknown base)."""
    if not monthly_wage or monthly_wage <= 0:
        raise UserError(
            "本工作区尚未设置本省上一年度职工月平均工资，不能计算救助限额："
            "请在配置文件的 [judicial_aid] 中写明 monthly_wage（元）和 monthly_wage_source（出处）。",
            code="aid_wage_unset",
        )
    if not source.strip():
        raise UserError(
            "本工作区设置了上一年度职工月平均工资，但未写明出处（[judicial_aid] monthly_wage_source），"
            "救助限额无从核对。",
            code="aid_wage_unset",
        )
    return Decimal(monthly_wage) * months


def check_amount(
    amount: Decimal,
    limit: Decimal,
    *,
    months: int,
    exceed_approval: str = "",
    damages: Decimal | None = None,
    fast: bool = False,
    fast_limit: int = 0,
) -> None:
    """Refuse, in Chinese, an amount the 细则 does not allow.

    * not positive;
    * above the cap (`limit`: `months` of the average monthly wage) unless the excess was approved
      (`exceed_approval`: who approved it and under which rule — 依照相关规定报批) and the amount
      is within the damages a court would award (`damages`, required then);
    * on the fast track, above the procuratorate's `fast_limit`; the fast track never exceeds
      the cap.
    """
    if amount <= 0:
        raise UserError("救助金额应大于零。", code="aid_amount")
    if fast and amount > fast_limit:
        raise UserError(
            f"快速救助的金额不超过 {yuan(Decimal(fast_limit))} 元（本院设定），"
            f"本次 {yuan(amount)} 元，应按一般程序审查决定。",
            code="aid_fast_limit",
        )
    if amount <= limit:
        return
    if fast or not exceed_approval.strip():
        raise UserError(
            f"救助金额 {yuan(amount)} 元超过救助限额 {yuan(limit)} 元"
            f"（上一年度职工月平均工资的{months}个月）。损失特别重大、生活特别困难需要适当突破限额的，"
            "应当写明报批情况和人民法院依法应当判决的赔偿数额。",
            code="aid_above_cap",
        )
    if damages is None:
        raise UserError(
            "突破救助限额的，应当写明人民法院依法应当判决的赔偿数额：救助总额不得超过该数额。",
            code="aid_above_cap",
        )
    if amount > damages:
        raise UserError(
            f"救助金额 {yuan(amount)} 元超过人民法院依法应当判决的赔偿数额 {yuan(damages)} 元。",
            code="aid_above_damages",
        )


def parse_people(text: object) -> int:
    """救助人数: a whole number of at least one (3, 3人, 3名)."""
    raw = str(text).strip().removesuffix("人").removesuffix("名").strip()
    if not raw.isdigit() or int(raw) < 1:
        raise UserError(f"救助人数应为不小于 1 的整数，收到“{text}”。", code="bad_field_value")
    return int(raw)


@dataclass(frozen=True)
class Decided:
    """One case's decided aid, as the figures read it."""

    ground: str
    people: int
    amount: Decimal
    fast: bool
    paid: bool


FIGURES = (
    ("cases", "决定救助件数"),
    ("people", "救助人数"),
    ("amount", "救助金额（元）"),
    ("fast", "其中快速救助件数"),
    ("paid_cases", "已发放件数"),
    ("paid_amount", "已发放金额（元）"),
)


@dataclass
class Tally:
    cases: int = 0
    people: int = 0
    amount: Decimal = Decimal(0)
    fast: int = 0
    paid_cases: int = 0
    paid_amount: Decimal = Decimal(0)

    def add(self, d: Decided) -> None:
        self.cases += 1
        self.people += d.people
        self.amount += d.amount
        self.fast += int(d.fast)
        if d.paid:
            self.paid_cases += 1
            self.paid_amount += d.amount

    def row(self, ground: str) -> dict[str, object]:
        return {"ground": ground, **{key: getattr(self, key) for key, _ in FIGURES}}


def figures(decided: Iterable[Decided]) -> list[dict[str, object]]:
    """Per ground in declared order (grounds with no case left out), then 合计: 件数, 人数, 金额,
    of which the fast track and what was paid."""
    tallies: dict[str, Tally] = {}
    total = Tally()
    for d in decided:
        tallies.setdefault(d.ground, Tally()).add(d)
        total.add(d)
    order = [g.label for g in declarations().grounds]
    return [*(tallies[g].row(g) for g in order if g in tallies), total.row("合计")]
