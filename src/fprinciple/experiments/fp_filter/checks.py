"""fp_filter: the rules across its config keys that the schema cannot state, checked with every other
config problem before any job (``fprinciple.config``: ``problems(path, block)`` yields
``(key path, problem)`` pairs; the message adds the file, line and docs)."""

from __future__ import annotations


def figure_deltas_configured(path, node):
    for index, delta in enumerate(node.get("figure_deltas", ()) if "deltas" in node else ()):
        if delta not in node["deltas"]:
            yield (
                path + ("figure_deltas", index),
                f"{delta} is not one of the deltas {node['deltas']}: draw only trained δ",
            )


def problems(path, block):
    for index, dataset in enumerate(block.get("datasets", ())):
        if isinstance(dataset, dict):
            yield from figure_deltas_configured(path + ("datasets", index), dataset)
