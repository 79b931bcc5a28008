"""The demonstration county 青岚县: realistic agency files with planted violations.

`generate.generate_county(out_dir)` writes the files and a manifest of the leads the models must
find; `shujian demo` imports the files, runs the models and compares (`showcase`).

Nothing is imported here: `shujian demo` starts the county's generation in a process of its own
(`python -m shujian.demo`, `background`) before it loads the rest of the platform, and importing
this package must not load the generator's libraries first.
"""
