"""theory_stages — LMXZ19: the suite's own numerical check of the three-stage theorems of the
F-Principle (the paper has no experiment): the low band's share of the loss decrease or output change
at the initial, intermediate and final stages of training (README.md beside this file)."""

PAPER_FIGURE = "Luo et al., CSIAM Trans. Appl. Math. 2021: none, the suite's own check of the three-stage theorems"
# ``spectral.stages.tail_statistics`` of the final window, logged as tail_<name> and read by the claims
TAIL = ("efolds", "monotone", "rate_ratio", "slowest_band", "fastest_band")


def dataset(cfg: dict) -> str:
    t = cfg["target"]
    return (
        f"synthetic 1-D target: sin at k = {t['low']} plus c·sin at k = {t['high']}, c setting equal ρ-weighted "
        f"energy below and above k₀ = {t['cutoff']}; {cfg['n_train']} training points per density"
    )
