"""`python -m shujian.demo OUT_DIR SEED`: the county's files and manifest, written by a process of
their own (`background.Generation`)."""

from __future__ import annotations

import sys
from pathlib import Path

from shujian.demo.generate import generate_county


def main(argv: list[str]) -> None:
    out_dir, seed = argv
    generate_county(Path(out_dir), int(seed))


if __name__ == "__main__":
    main(sys.argv[1:])
