"""theory_stages: the rules across its config keys that the schema cannot state, checked with every other
config problem before any job (``fprinciple.config``: ``problems(path, block)`` yields
``(key path, problem)`` pairs; the message adds the file, line and docs)."""

from __future__ import annotations


def bands_split_by_cutoff(path, node):
    """theory_stages: the low band's frequencies ≤ cutoff < the high band's, all below Nyquist; the
    final-stage cutoffs ascending and below Nyquist."""
    target = node.get("target")
    if not (isinstance(target, dict) and {"low", "high", "cutoff"} <= set(target)):
        return
    if max(target["low"]) > target["cutoff"]:
        yield (
            path + ("target", "low"),
            f"{max(target['low'])} is above cutoff = {target['cutoff']}: the low band is k ≤ cutoff",
        )
    if min(target["high"]) <= target["cutoff"]:
        yield (
            path + ("target", "high"),
            f"{min(target['high'])} is not above cutoff = {target['cutoff']}: the high band is k > cutoff",
        )
    if "grid_points" in node and 2 * max(target["high"]) >= node["grid_points"]:
        yield (
            path + ("target", "high"),
            (
                f"{max(target['high'])} is not below the Nyquist frequency "
                f"{node['grid_points'] // 2} of grid_points = {node['grid_points']}: raise grid_points"
            ),
        )
    cutoffs = node.get("final_cutoffs")
    if isinstance(cutoffs, list) and cutoffs != sorted(cutoffs):
        yield path + ("final_cutoffs",), f"{cutoffs} is not ascending"
    if isinstance(cutoffs, list) and "grid_points" in node and 2 * max(cutoffs) >= node["grid_points"]:
        yield (
            path + ("final_cutoffs",),
            (
                f"{max(cutoffs)} is not below the Nyquist frequency "
                f"{node['grid_points'] // 2} of grid_points = {node['grid_points']}"
            ),
        )


def problems(path, block):
    yield from bands_split_by_cutoff(path, block)
