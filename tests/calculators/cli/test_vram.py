"""The vram command: a table with advice and the GPUs it fits on; bad input is one line and exit status 2."""

import pytest

from tests.calculators.cli.support import run_cli


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
    (["vram", "llama-3.1-8b", "--quant", "q9"], "--quant"), (["vram", "nope-1b"], "model"),
    (["vram", "llama-3.1-8b", "--batch", "0"], "--batch"), (["vram", "--config", "/no/such/file"], "config"),
    (["vram", "llama-3.1-8b", "--train", "dpo"], "--train"),
    (["vram", "llama-3.1-8b", "--seq", "0"], "--seq"), (["vram", "llama-3.1-8b", "--kv-dtype", "fp7"], "--kv-dtype"),
])
def test_vram_bad_input(args, field):
    proc = run_cli(args)
    assert proc.returncode == 2 and proc.stderr.startswith(f"error: {field}:") and len(proc.stderr.splitlines()) == 1


def test_terminal_escapes_in_an_input_are_not_echoed():
    proc = run_cli(["vram", "llama-3.1-8b", "--train", "lora", "--lora-targets", "\x1b[31mred"])
    assert proc.returncode == 2 and "\x1b" not in proc.stderr and "\\x1b[31mred" in proc.stderr
