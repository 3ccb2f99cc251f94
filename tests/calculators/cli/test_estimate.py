"""The estimate and vram commands, and the scenario registry."""

import io
import json
import subprocess
import sys

import pytest

from calculators import cli, scenarios
from tests.calculators.truth import ROOT, records

RECORDS = records("inference", "training")


def run_cli(args, stdin=""):
    return subprocess.run([sys.executable, "-m", "calculators", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=60)


def test_estimate_reads_a_truth_record_from_stdin():
    proc = run_cli(["estimate", "--json", "-"], json.dumps(RECORDS[0]))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out["components"]) >= {"weights", "kv_cache", "activations", "cuda_context"}
    assert out["peak_allocated_bytes"] > out["components"]["weights"]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: f"{r['model']}-{r['kind']}")
def test_estimate_handles_every_truth_record(record, tmp_path, capsys):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(record))
    assert cli.main(["estimate", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == record["kind"]


@pytest.mark.parametrize("stdin, field", [
    ("", "json"), ("{not json", "json"), ("[1]", "json"), ('{"kind": "dance"}', "kind"), ('{"model": "x"}', "kind"),
    ('{"kind": "inference", "model": "gpt-9"}', "model"),
    ('{"kind": "inference", "model": "llama-3.1-8b", "batch": -1}', "batch"),
    ('{"kind": "inference", "model": "llama-3.1-8b", "seq": 1e40}', "seq"),
    ('{"kind": "inference", "model": "llama-3.1-8b", "quant": "q1"}', "quant"),
    ('{"kind": "training", "model": "llama-3.1-8b", "mode": "lora", "lora": {"r": 8, "targets": ["wq"]}}', "lora_targets"),
    ('{"kind": "inference", "config": {"model_type": "llama", "hidden_size": "wide"}}', "config.hidden_size"),
    ('{"kind": "inference", "config": ' + "[" * 100 + "]" * 100 + "}", "json"),
])
def test_bad_records_give_one_line_and_exit_2(stdin, field):
    proc = run_cli(["estimate", "--json", "-"], stdin)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {field}:"), proc.stderr
    assert "Traceback" not in proc.stderr


def test_vram_prints_a_table_with_advice_and_fits():
    proc = run_cli(["vram", "llama-3.1-8b", "--batch", "8", "--seq", "4096", "--quant", "q4_k_m"])
    assert proc.returncode == 0, proc.stderr
    assert "kv cache" in proc.stdout and "peak allocated" in proc.stdout and "Fits on" in proc.stdout
    train = run_cli(["vram", "qwen2.5-7b", "--train", "qlora", "--grad-ckpt", "--seq", "2048"])
    assert train.returncode == 0 and "adapters" in train.stdout


def test_vram_reads_a_config_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"model_type": "mistral", "sliding_window": null}')
    proc = run_cli(["vram", "--config", str(path), "--runtime", "vllm", "--gpu", "h100-sxm"])
    assert proc.returncode == 0, proc.stderr
    assert "kv capacity tokens" in proc.stdout


@pytest.mark.parametrize("args, field", [
    (["vram", "llama-3.1-8b", "--quant", "q9"], "quant"), (["vram", "nope-1b"], "model"),
    (["vram", "llama-3.1-8b", "--batch", "0"], "batch"), (["vram", "--config", "/no/such/file"], "config"),
    (["vram", "llama-3.1-8b", "--train", "dpo"], "mode"),
])
def test_vram_bad_input(args, field):
    proc = run_cli(args)
    assert proc.returncode == 2 and proc.stderr.startswith(f"error: {field}:") and len(proc.stderr.splitlines()) == 1


def test_registry_takes_new_kinds_with_one_entry(monkeypatch):
    monkeypatch.setitem(scenarios.HANDLERS, "echo", lambda record: {"seen": record["x"]})
    assert scenarios.run({"kind": "echo", "x": 3}) == {"seen": 3}
