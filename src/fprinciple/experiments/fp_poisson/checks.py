"""fp_poisson: the rules across its config keys that the schema cannot state, checked with every other
config problem before any job (``fprinciple.config``: ``problems(path, block)`` yields
``(key path, problem)`` pairs; the message adds the file, line and docs)."""

from __future__ import annotations


def poisson_consistent(path, node):
    """fp_poisson: one amplitude per wavenumber, every mode in the lower half of the grid's
    spectrum (sin(kπx) is mode j = 2k of N + 1 intervals), the hand-over within the DNN's run."""
    problem = node.get("problem")
    if isinstance(problem, dict) and {"wavenumbers", "amplitudes"} <= set(problem):
        if len(problem["wavenumbers"]) != len(problem["amplitudes"]):
            yield (
                path + ("problem", "amplitudes"),
                (
                    f"{len(problem['amplitudes'])} amplitudes for "
                    f"{len(problem['wavenumbers'])} wavenumbers: give one amplitude per wavenumber"
                ),
            )
        top = max(problem["wavenumbers"], default=0)
        if "n_interior" in node and 4 * top >= node["n_interior"] + 1:
            yield (
                path + ("problem", "wavenumbers"),
                (
                    f"k = {top} needs 4k < n_interior + 1 = {node['n_interior'] + 1} "
                    f"(mode 2k in the lower half of the grid's spectrum): raise n_interior to at least {4 * top}"
                ),
            )
    hybrid, dnn = node.get("hybrid"), node.get("dnn")
    if isinstance(hybrid, dict) and isinstance(dnn, dict) and hybrid.get("dnn_steps", 0) > dnn.get("steps", 0):
        yield (
            path + ("hybrid", "dnn_steps"),
            (
                f"{hybrid['dnn_steps']} is beyond dnn.steps = {dnn['steps']}: the hybrid "
                "hands over from the DNN's own run; lower it or raise dnn.steps"
            ),
        )


def problems(path, block):
    yield from poisson_consistent(path, block)
