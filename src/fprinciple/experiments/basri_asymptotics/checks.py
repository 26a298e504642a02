"""basri_asymptotics: the rules across its config keys that the schema cannot state, checked with every other
config problem before any job (``fprinciple.config``: ``problems(path, block)`` yields
``(key path, problem)`` pairs; the message adds the file, line and docs)."""

from __future__ import annotations


def index_ranges(path, node):
    """basri_asymptotics' ``dims`` and ``degrees``: min, min + step, ... up to max."""
    values = {}
    for key, least, why in (("dims", 3, "a line through g(d)"), ("degrees", 2, "an exponent fit over k")):
        spec = node.get(key)
        if isinstance(spec, dict) and {"min", "max", "step"} <= set(spec):
            values[key] = range(spec["min"], spec["max"] + 1, spec["step"])
            if len(values[key]) < least:
                yield (
                    path + (key,),
                    (
                        f"min = {spec['min']}, max = {spec['max']}, step = {spec['step']} give "
                        f"{len(values[key])} values, fewer than the {least} that {why} needs: raise max or lower step"
                    ),
                )
    for index, d in enumerate(node.get("curve_dims", ()) if values.get("dims") else ()):
        if d not in values["dims"]:
            dims = values["dims"]
            yield (
                path + ("curve_dims", index),
                (
                    f"{d} is not one of the dims {dims[0]}, {dims[0] + dims.step}, ... "
                    f"{dims[-1]}: pick dimensions from dims"
                ),
            )


def problems(path, block):
    yield from index_ranges(path, block)
