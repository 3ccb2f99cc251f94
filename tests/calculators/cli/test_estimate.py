"""The estimate command: a scenario record from a file or stdin; bad records are one line and exit status 2."""

import json

import pytest

from calculators import cli
from tests.calculators.cli.support import run_cli
from tests.calculators.truth import records

RECORDS = records("inference", "training")


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
    ('{"kind": "training", "model": "llama-3.1-8b", "mode": "lora", "lora": {"r": 8, "targets": ["wq"]}}', "lora.targets"),
    ('{"kind": "inference", "model": "llama-3.1-8b", "kv_dtype": "fp7"}', "kv_dtype"),
    ('{"kind": "linear_decode_step", "model": "llama-3.1-8b", "gpu": "h200", "batch": 1, "dtype": "q9"}', "dtype"),
    ('{"kind": "inference", "config": {"model_type": "llama", "hidden_size": "wide"}}', "config.hidden_size"),
    ('{"kind": "inference", "config": ' + "[" * 100 + "]" * 100 + "}", "json"),
])
def test_bad_records_give_one_line_and_exit_2(stdin, field):
    proc = run_cli(["estimate", "--json", "-"], stdin)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {field}:"), proc.stderr
    assert "Traceback" not in proc.stderr
