"""Supervision cases (案件): opened from accepted leads and walked through the 检察建议 workflow.

The state machine is data (`states.yaml`, loaded by `workflow`); `service` applies it to the case
store; `deadlines` computes due dates by the 民法典 rules on periods.
"""
