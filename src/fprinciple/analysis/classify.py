"""What the classification experiments' claims and figures share (engines.classify trains them)."""

from __future__ import annotations

import pandas as pd


def with_epochs(metrics: pd.DataFrame, by: tuple[str, ...] = ("run",)) -> pd.DataFrame:
    """``metrics`` with an ``epoch`` column (step / steps_per_epoch of the row's run, or of the
    row's group ``by`` when one run trains several nets in turn)."""
    per_epoch = metrics[metrics["metric"] == "steps_per_epoch"].groupby(list(by))["value"].first().rename("per_epoch")
    joined = metrics.join(per_epoch, on=list(by))
    return metrics.assign(epoch=metrics["step"] / joined["per_epoch"])
