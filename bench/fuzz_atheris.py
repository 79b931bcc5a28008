"""Coverage-guided fuzzing of the import with atheris (not part of the tests).

atheris is not a dependency of the project; it installs from PyPI on Python 3.11 here:

    uv run --with atheris python bench/fuzz_atheris.py -runs=20000

libFuzzer mutates a seed corpus (a good xlsx and a good CSV of tests/hostile.py) guided by the
coverage of shujian's readers; each input goes through `import_file` like bench/fuzz.py, its
first byte choosing the suffix. A traceback, or a refusal not in Chinese or not naming the file,
or one that changed the workspace, stops the run as a crash (libFuzzer keeps the input).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris  # type: ignore[import-not-found]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

with atheris.instrument_imports(include=["shujian.data"]):
    from hostile import HEADER, ROWS, TEMPLATE, import_once, zip_bytes
    from shujian.workspace import init_workspace

SUFFIXES = (".xlsx", ".csv")
TMP = Path(tempfile.mkdtemp(prefix="shujian-atheris-"))
WS = init_workspace(TMP / "ws")


def one_input(data: bytes) -> None:
    if not data:
        return
    name = "机关报送" + SUFFIXES[data[0] % len(SUFFIXES)]
    outcome = import_once(WS, TMP, name, data[1:])
    if outcome.kind == "traceback":
        raise RuntimeError(f"{outcome.code}: {outcome.message}")


def seed_corpus() -> Path:
    corpus = TMP / "corpus"
    corpus.mkdir()
    good_csv = "".join(",".join(row) + "\n" for row in [HEADER, *ROWS]).encode()
    (corpus / "xlsx").write_bytes(b"\x00" + zip_bytes(list(TEMPLATE.items())))
    (corpus / "csv").write_bytes(b"\x01" + good_csv)
    return corpus


def main() -> None:
    argv = (
        [*sys.argv, str(seed_corpus())]
        if not any(Path(a).is_dir() for a in sys.argv[1:])
        else sys.argv
    )
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
