"""How reliably fp_nongd's order claim holds per seed: each method of the quick config trained
from many initialisations, each seed judged alone by the claim itself (`fp_nongd.claims.order_claim`),
and what the claims table's rule makes of the rate (`fprinciple.claims`).
The declared reasons in the quick section of src/fprinciple/experiments/fp_nongd/config.yaml quote
these rates; --model, --init-std and --delta-form try the alternatives named in
src/fprinciple/experiments/fp_nongd/README.md.

    python benchmarks/bench_nongd_seeds.py [--methods cg bfgs l-bfgs-b] [--seeds 200 219]
        [--hidden 8 8] [--activation tanh] [--init-std 1.0] [--delta-form complex]
        [--config config/config.yaml]
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import pandas as pd
import torch

from fprinciple.claims import rate_reproduced, rate_text
from fprinciple.config import load_and_validate
from fprinciple.experiments.fp_nongd import claims, model_of, run
from fprinciple.training import RunContext


def seed_rows(cfg: dict, method: str, seed: int) -> pd.DataFrame:
    """The trained net's logged rows of one seed, labelled as the aggregate labels them."""
    result = run.fit(cfg, method, seed, RunContext())
    rows = pd.DataFrame(result.records)
    return rows[rows["learner"] == "trained"].assign(seed=seed, method=method, run=f"method-{method}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--methods", nargs="+", default=["cg", "bfgs", "l-bfgs-b"])
    parser.add_argument("--seeds", nargs=2, type=int, default=[200, 219], metavar=("FIRST", "LAST"))
    parser.add_argument("--hidden", nargs="+", type=int, help="hidden widths (default: each method's own net)")
    parser.add_argument("--activation", help="with --hidden (default tanh)")
    parser.add_argument("--init-std", type=float, help="with or without --hidden: the net's init_std")
    parser.add_argument("--delta-form", choices=["complex", "magnitude"])
    parser.add_argument(
        "--tiny", action="store_true", help="bfgs of config/smoke.yaml, 2 seeds: seconds (tests/test_benchmarks.py)"
    )
    args = parser.parse_args()
    if args.tiny:
        args.config, args.methods, args.seeds = "config/smoke.yaml", ["bfgs"], [0, 1]
    torch.set_num_threads(1)  # tiny nets: one thread is fastest, and leaves the other cores free

    cfg = load_and_validate([Path(args.config)])["experiments"]["fp_nongd"]  # the config's scale, defaults filled in
    if args.delta_form:
        cfg["spectrum"]["delta_form"] = args.delta_form
    for method in args.methods:
        block = copy.deepcopy(cfg)
        settings = block["methods"][method]
        model = copy.deepcopy(model_of(block, method))
        if args.hidden:
            model.update(hidden=args.hidden, activation=args.activation or "tanh")
        if args.init_std is not None:
            model["init_std"] = args.init_std
        settings["model"] = model
        seeds = range(args.seeds[0], args.seeds[1] + 1)
        start = time.perf_counter()
        failing = []
        for seed in seeds:
            verdict = claims.order_claim(seed_rows(block, method, seed), block, method)
            if not verdict.passed:
                failing.append("  " + verdict.note.split(";")[0].removeprefix("order fails in "))
        net = "-".join(map(str, [1, *model["hidden"], 1]))
        held = len(seeds) - len(failing)
        verdict = "reproduced" if rate_reproduced(held, len(seeds)) else "not reproduced"
        print(
            f"{method}: {net} {model['activation']} init_std {model['init_std']}, "
            f"{block['spectrum']['delta_form']} ΔF: order holds in {rate_text(held, len(seeds))}: {verdict} "
            f"({time.perf_counter() - start:.0f} s)"
        )
        print("\n".join(failing) if failing else "  every seed in order", flush=True)


if __name__ == "__main__":
    main()
