"""Tamper evidence over the state (篡改检测), not only over the audit log.

The audit log's hash chain proves its own entries; it said nothing of the rows they describe. A
person with write access to the case store could change a lead's evidence, a case's state or a
recommendation row, or delete the last case event, and `audit verify` still passed.

Now every change the platform makes to a tracked row (leads, cases, case events,
recommendations) records the row's digest — one short SHA-256 per material column, `policy` —
in `state_digests`, under the number of the change entry that made it; that entry states how many
digests it recorded and their joint hash, inside its own hashed detail (`ledger`). `check`
replays the digests (the last one recorded for each row), compares them with the rows as they are
and the stored document files with the SHA-256 recorded when they were written, and names each
difference. `anchor` writes the chains' heads for a paper register, so that a cut tail (entries
deleted and the head rewritten) is caught against an anchor taken before the cut.
"""
