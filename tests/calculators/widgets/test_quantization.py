"""The quantization widget: scales and 16-bit tensors counted, as in the quantization glossary entries."""

from calculators import widgets
from tests.calculators.widgets.support import run


def test_quantization_counts_scales_and_16_bit_tensors():
    nvfp4 = run("quantization")  # Llama 3.1 70B in NVFP4, as in the FP4 entry
    assert 4.5 < float(nvfp4["bits"]) < 5  # embeddings and output layer stay in BF16
    q4 = run("quantization", model="llama-3.1-8b", format="q4_k_m")
    assert "Q6_K" in q4["mix"] and "(chosen)" in q4["table"]
    assert widgets.run("quantization", {"format": "q4_k"})["field"] == "format"
