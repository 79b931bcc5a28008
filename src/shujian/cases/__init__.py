"""Supervision cases (案件): opened from accepted leads and walked through their kind's workflow.

Each case kind (办案类型) is a declared workflow, one file in `workflows/` (检察建议 today), loaded
by `workflow`; `policy` decides each step as pure functions and `service` applies the decisions to
the case store; `deadlines` computes due dates by the 民法典 rules on periods; documents issued
from a case are declared kinds (`documents/kinds.yaml`) numbered by `numbering`.
"""
