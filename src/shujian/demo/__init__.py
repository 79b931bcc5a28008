"""The demonstration county 青岚县: realistic agency files with planted violations.

`generate_county(out_dir)` writes the files and a manifest of the leads the models must find;
`shujian demo` imports the files, runs the models and compares.
"""

from shujian.demo.county import AS_OF
from shujian.demo.generate import build_county, generate_county
from shujian.demo.manifest import DatasetFile, DemoManifest, Plant, RejectedRow

__all__ = [
    "AS_OF",
    "DatasetFile",
    "DemoManifest",
    "Plant",
    "RejectedRow",
    "build_county",
    "generate_county",
]
