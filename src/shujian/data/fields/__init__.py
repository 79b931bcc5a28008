"""Field types: how one column of an agency's file is read, normalised and checked.

Dataset declarations name a type per column (`id_card`, `uscc`, `date`, ...); the importer looks
it up in `registry.FIELD_TYPES`. Each type is a small class in its own module. This package itself
loads nothing, so a module that needs one helper of a type (a region code, a 信用代码's check)
does not load polars and every type with it.
"""
