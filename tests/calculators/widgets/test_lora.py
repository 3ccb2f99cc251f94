"""The lora widget agrees with the LoRA glossary entry's worked example."""

from tests.calculators.widgets.support import run


def test_lora_matches_the_entry_worked_example():
    out = run("lora")
    assert out["trainable"] == "41,943,040" and out["share"].startswith("0.52%")
    assert (out["adapter_file"], out["lora_memory"]) == ("83.89 MB", "671.09 MB")
