"""The model catalog: coverage, sources, published totals, the gpu-truth configs, architectures built once."""

import json

import pytest

from calculators import cli
from calculators.architectures import supported_model_types
from calculators.catalogs import models
from calculators.core.errors import InputError
from tests.calculators.truth import records
from validation import gpu_cases

MODELS = list(models.all_models().values())


def test_catalog_size_and_coverage():
    assert len(MODELS) >= 30
    covered = {m.config["model_type"] for m in MODELS}
    assert covered >= set(supported_model_types()) - {"gemma"}
    for m in MODELS:
        assert m.source.startswith("https://huggingface.co/") and m.source.endswith("config.json")
        assert m.id == m.id.lower() and " " not in m.id


@pytest.mark.parametrize("model", [m for m in MODELS if m.published_params], ids=lambda m: m.id)
def test_counts_match_published_totals(model):
    count = models.resolve(model.id)[1].n_params
    tolerance = max(0.001 * model.published_params, model.raw_resolution / 2)
    assert abs(count - model.published_params) <= tolerance


@pytest.mark.parametrize("record", records("inference", "training"), ids=lambda r: r["model"])
def test_truth_models_are_catalog_ids_with_the_same_config(record):
    """A measured model is a catalog entry, or (validation/gpu_cases.py) an entry with stated overrides."""
    variants = {case["label"]: case for case in gpu_cases.CASES if "label" in case}
    variant = variants.get(record["model"], {})
    entry = models.get(variant.get("model", record["model"]))
    expected = {**entry.config, **variant.get("overrides", {})}
    for key, value in record["config"].items():
        assert expected.get(key, value) == value, key
    assert models.resolve(record["model"], expected)[1].n_params == record["n_params"]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.id)
def test_every_catalog_model_runs_through_the_estimate_command(model, tmp_path, capsys):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"kind": "inference", "model": model.id, "batch": 1, "seq": 1024,
                                "dtype": "bfloat16"}))
    assert cli.main(["estimate", "--json", str(case)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["peak_allocated_bytes"] > out["components"]["weights"] > 0


def test_unknown_model_suggests_close_ids():
    with pytest.raises(InputError) as caught:
        models.get("llama-3.1-9b")
    assert caught.value.field == "model" and "llama-3.1-8b" in caught.value.message


def test_catalog_architectures_are_built_once():
    assert models.resolve("llama-3.1-8b")[1] is models.resolve("llama-3.1-8b")[1]
