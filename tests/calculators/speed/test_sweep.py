"""Batch sweeps: throughput against batch size, and where decode turns compute-bound."""

from calculators import speed


def test_batching_raises_throughput_not_single_user_speed(llama):
    rows = speed.batch_sweep(llama, "h200", batches=(1, 8, 64, 256, 1024), context_tokens=1024).rows
    per_user = [r.tokens_per_s_per_user for r in rows]
    total = [r.tokens_per_s_total for r in rows]
    assert per_user == sorted(per_user, reverse=True)
    assert total == sorted(total)


def test_linear_sweep_turns_compute_bound_between_128_and_256(llama):
    # gpu-truth README: the H200 llama-3.1-8b sweep turns compute-bound between batch 128 and 256
    sweep = speed.batch_sweep(llama, "NVIDIA H200", batches=(1,), context_tokens=0)
    assert 128 < sweep.compute_bound_batch <= 256
