"""Command line: ``speed``, ``gpus`` listing and ranking; bad input is one line and exit status 2."""

import json

import pytest

from calculators import cli

LLAMA_8B = dict(model_type="llama", vocab_size=128256, hidden_size=4096, intermediate_size=14336,
                num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8, head_dim=128,
                tie_word_embeddings=False)
LLAMA_70B = dict(LLAMA_8B, hidden_size=8192, intermediate_size=28672, num_hidden_layers=80, num_attention_heads=64)


@pytest.fixture
def config_file(tmp_path):
    def write(config):
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        return str(path)
    return write


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


def test_gpus_lists_the_catalog(capsys):
    assert cli.main(["gpus"]) == 0
    out = capsys.readouterr().out
    assert "h100-sxm" in out and "m4-max-128gb" in out and len(out.splitlines()) > 40


def test_gpus_ranks_what_fits(config_file, capsys):
    assert cli.main(["gpus", "--config", config_file(LLAMA_70B), "--counts", "1", "--json"]) == 0
    options = json.loads(capsys.readouterr().out)
    ids = {o["gpu_id"] for o in options}
    assert "mi300x" in ids and "h100-sxm" not in ids  # 141 GB of bf16 weights: one 80 GB card is not enough
    assert cli.main(["gpus", "--config", config_file(LLAMA_70B), "--sort", "cost", "--price", "h200=0.5"]) == 0
    assert "$/Mtok" in capsys.readouterr().out


@pytest.mark.parametrize("argv, field", [
    (["speed", "--gpu", "h1000"], "gpu"),
    (["speed", "--batch", "1,x"], "batches"),
    (["speed", "--batch", "0"], "batches"),
    (["speed", "--weights", "q9"], "weight_format"),
    (["gpus", "--sort", "fast"], "sort_by"),
    (["gpus", "--price", "h100"], "price"),
    (["gpus", "--price", "nope=1"], "prices"),
])
def test_bad_input_is_one_line_exit_2(config_file, capsys, argv, field):
    assert cli.main(argv[:1] + ["--config", config_file(LLAMA_8B)] + argv[1:]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {field}:") and err.count("\n") == 1


def test_missing_config_file_names_the_field(capsys):
    assert cli.main(["speed", "--config", "/nonexistent/config.json"]) == 2
    assert capsys.readouterr().err.startswith("error: config:")
