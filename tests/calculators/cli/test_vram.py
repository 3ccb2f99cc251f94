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


def test_vram_places_llama_cpp_tensors_per_device_and_times_that_placement():
    full = run_cli(["vram", "qwen3-30b-a3b", "--runtime", "llama.cpp", "--quant", "q4_k_m", "--gpu", "rtx-4090"])
    moved = run_cli(["vram", "qwen3-30b-a3b", "--runtime", "llama.cpp", "--quant", "q4_k_m", "--gpu", "rtx-4090",
                     "--n-cpu-moe", "30", "--host-bandwidth", "89.6"])
    assert full.returncode == moved.returncode == 0, moved.stderr
    for out in (full.stdout, moved.stdout):
        assert "GPU 0:" in out and "system RAM:" in out and "generation (tg128)" in out
    rate = lambda out: float(out.split("generation (tg128)")[1].split()[0].replace(",", ""))  # noqa: E731
    assert rate(moved.stdout) < rate(full.stdout)
    assert "stay in system RAM" in moved.stdout


@pytest.mark.parametrize("args, flag", [
    (["--n-cpu-moe", "30"], "--host-bandwidth"),                     # RAM-resident experts need its bandwidth
    (["--gpu-layers", "many"], "--gpu-layers"),
    (["-ot", "exps=NPU0"], "--override-tensor"),
    (["--tensor-split", "3,x"], "--tensor-split"),
])
def test_vram_llama_cpp_flags_refuse_bad_values_by_name(args, flag):
    proc = run_cli(["vram", "qwen3-30b-a3b", "--runtime", "llama.cpp", "--quant", "q4_k_m", "--gpu", "rtx-4090",
                    *args])
    assert proc.returncode == 2 and proc.stderr.startswith(f"error: {flag}") and not proc.stdout, proc.stderr


def test_a_closed_pipe_ends_the_command_quietly():
    """``gpu-glossary vram ... | head -1``: the reader's end of the pipe is gone before the table is written."""
    import os
    import subprocess
    import sys

    from tests.calculators.truth import ROOT
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read: the first write fails with EPIPE
    try:
        proc = subprocess.run([sys.executable, "-m", "calculators", "vram", "llama-3.1-8b"], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=60)
    finally:
        os.close(write_end)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
