"""Backup and restore of a whole workspace (`shujian backup DIR`, `shujian restore`).

A backup is a folder: the workspace's files as they are on disk, the case store as a SQLite
file (`case_store.sqlite`) whatever store the workspace uses, and `manifest.json`, written last,
with the sha256 of every file, the row count of every table and the audit chains' heads. A
folder without its manifest is an unfinished backup and is refused by `restore`.

Consistent while the platform is in use, without stopping anyone:

* the store is copied in one read transaction — SQLite's `VACUUM INTO` (a read transaction of
  its own, beside writers in WAL mode), PostgreSQL's REPEATABLE READ READ ONLY transaction — so
  the copy is the store at one instant;
* a batch's Parquet file is renamed into place before its row commits and is never changed or
  deleted afterwards (`data/warehouse.py`), so every file the copied store lists is on disk, as
  it was; files no copied batch lists (an import running meanwhile) are left out;
* a document is written before its hash is recorded and never changed afterwards: the files of a
  document the copied store does not record as written are left out, so the restored workspace
  holds the document a recorded number stands for and nothing else of that moment.

Why a SQLite file for a PostgreSQL store and not `pg_dump`: the backup must restore into either
kind of store (moving a workspace from SQLite to PostgreSQL is a backup and a restore with
`--store-url`), needs no client tools of the server's exact version, and is checked the same way
whatever the source. The copy goes row by row through the declared tables (`copy.py`); the tallies
the database keeps by trigger are rebuilt by those triggers, not copied.
"""
