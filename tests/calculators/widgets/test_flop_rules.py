"""The flop-rules widget agrees with the 2N / 6ND glossary entry."""

from tests.calculators.widgets.support import run


def test_flop_rules_match_the_entry():
    out = run("flop-rules")
    assert out["train_flops"] == "7.23 × 10²³ FLOP"
    assert out["gpu_days"].endswith("(507,217 GPU-hours)")
    assert out["per_token"] == "1.61 × 10¹⁰ FLOP"
    moe = run("flop-rules", model="mixtral-8x7b")
    assert "active parameters" in moe["explain"]
