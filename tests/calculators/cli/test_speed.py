"""The speed command: a row per batch, or JSON; bad input to ``speed`` and ``gpus`` is one line and exit status 2."""

import json

import pytest

from calculators import cli
from tests.calculators.support import LLAMA_8B


def test_speed_prints_a_row_per_batch(config_file, capsys):
    assert cli.main(["speed", "--config", config_file(LLAMA_8B), "--gpu", "h100", "--batch", "1,8,64,256"]) == 0
    out = capsys.readouterr().out
    assert "NVIDIA H100 SXM5 80GB" in out and "time to first token" in out
    rows = [line.split() for line in out.splitlines() if line.strip().split(" ")[0].isdigit()]
    assert [r[0] for r in rows] == ["1", "8", "64", "256"]
    per_user = [float(r[2]) for r in rows]
    assert per_user == sorted(per_user, reverse=True)


def test_speed_json(config_file, capsys):
    assert cli.main(["speed", "--config", config_file(LLAMA_8B), "--gpu", "NVIDIA H200", "--batch", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["gpu"] == "h200" and data["sweep"]["rows"][0]["batch"] == 1
    assert data["prefill"]["ttft_seconds"] > 0


@pytest.mark.parametrize("argv, field", [
    (["speed", "--gpu", "h1000"], "--gpu"),
    (["speed", "--batch", "1,x"], "--batch"),
    (["speed", "--batch", "0"], "--batch"),
    (["speed", "--weights", "q9"], "--weights"),
    (["gpus", "--sort", "fast"], "--sort"),
    (["gpus", "--price", "h100"], "--price"),
    (["gpus", "--price", "nope=1"], "--price"),
])
def test_bad_input_is_one_line_exit_2(config_file, capsys, argv, field):
    assert cli.main(argv[:1] + ["--config", config_file(LLAMA_8B)] + argv[1:]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {field}:") and err.count("\n") == 1


def test_missing_config_file_names_the_field(capsys):
    assert cli.main(["speed", "--config", "/nonexistent/config.json"]) == 2
    assert capsys.readouterr().err.startswith("error: config:")
