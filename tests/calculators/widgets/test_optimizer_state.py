"""The optimizer-state widget agrees with the table of its glossary entry, by model or by parameter count."""

from calculators import widgets
from tests.calculators.widgets.support import run


def test_optimizer_state_matches_the_entry_table():
    out = run("optimizer-state")
    assert (out["per_param"], out["total"], out["state"]) == ("16 bytes", "128.48 GB", "64.24 GB")
    zero1 = run("optimizer-state", gpus="8", zero="1")
    assert zero1["total"] == "44.17 GB per GPU"  # 2 + 2 + 12/8 bytes per parameter


def test_optimizer_state_by_parameter_count():
    out = run("optimizer-state", model="params", params="70e9", optimizer="sgd", precision="bf16")
    assert out["per_param"] == "6 bytes" and "70 billion" in out["notes"]
    assert widgets.run("optimizer-state", {"model": "params", "optimizer": "adafactor"})["field"] == "optimizer"
