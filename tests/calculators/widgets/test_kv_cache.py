"""The kv-cache widget: sizes from the architecture, attention kind, sequences that fit."""

import re

from calculators import widgets


def run(**inputs):
    result = widgets.run("kv-cache", inputs)
    assert result["ok"], result
    return result["outputs"]


def test_llama_8b_defaults():
    out = run()
    assert (out["per_token"], out["per_sequence"], out["per_batch"]) == ("128.00 KiB", "1.00 GiB", "1.00 GiB")
    assert out["attention"].startswith("GQA")
    fit = int(re.search(r": ([\d,]+) sequences", out["fit"]).group(1).replace(",", ""))
    assert 40 < fit < 70  # ~55 GiB of pool on an H100 after 15 GiB of weights
    assert "<title" in out["chart"] and "<title" in out["curve"]


def test_fp8_cache_doubles_the_sequences():
    bf16 = run(context="32768")
    fp8 = run(context="32768", kv_dtype="fp8")
    count = lambda out: int(re.search(r": ([\d,]+) sequences", out["fit"]).group(1).replace(",", ""))  # noqa: E731
    assert count(fp8) in (2 * count(bf16), 2 * count(bf16) + 1)


def test_kinds_and_when_nothing_fits():
    assert run(model="deepseek-v3")["attention"].startswith("MLA")
    assert "hybrid" in run(model="gemma-2-9b")["attention"]
    out = run(model="llama-3.1-405b", gpu="rtx-4090")
    assert out["fit"].startswith("On NVIDIA GeForce RTX 4090: none")


def test_field_errors():
    for field, value in [("kv_dtype", "q4_k"), ("weights", "q2_k_block"), ("context", "0"), ("batch", "1e9")]:
        result = widgets.run("kv-cache", {field: value})
        assert result["ok"] is False and result["field"] == field, (field, result)
