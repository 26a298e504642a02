"""The README's example on a user's own model (examples/own_model.py) runs as a user runs it."""

import json
import subprocess
import sys

from .conftest import ROOT


def test_own_model_example_measures_both_methods(tmp_path):
    verdict_file = tmp_path / "verdict.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "own_model.py"), "--json", str(verdict_file)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    verdict = json.loads(verdict_file.read_text())

    one_d = verdict["fit_1d"]
    assert one_d["peaks"] == [1, 3, 5]  # the example target's three frequencies, found as DFT peaks
    assert sorted(one_d["order"]) == one_d["peaks"] and set(one_d["converged_at_step"]) == {"1", "3", "5"}
    assert isinstance(one_d["low_first"], bool)
    assert f"first to converge: k={one_d['order'][0]}" in result.stdout

    classifier = verdict["classifier"]
    assert set(classifier["filtering"]) == {"0.5", "1.0", "2.0"}  # one verdict per δ
    for row in classifier["filtering"].values():
        assert set(row) == {"e_low_below_at_epoch", "e_high_below_at_epoch", "low_first"}
    assert set(classifier["median_frequency"]) == {"inputs", "hidden layer at epoch 0", "hidden layer at the end"}
    assert isinstance(classifier["hidden_moved_lower"], bool)
    assert "e_low/e_low(0)" in result.stdout and "labels' median frequency" in result.stdout
