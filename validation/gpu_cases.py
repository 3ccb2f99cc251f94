"""What validation/measure_gpu.py measures: the cases, and the config.json each one builds.

Kept apart from the measuring code so that the cases can be checked without PyTorch
(tests/validation: every case resolves in the calculators and fits the GPU it is run on).
"""

import json
import pathlib

CATALOG = pathlib.Path(__file__).resolve().parents[1] / "calculators" / "data" / "models.json"
ATTENTION_LINEARS = ["q_proj", "k_proj", "v_proj", "o_proj"]
ALL_LINEARS = ATTENTION_LINEARS + ["gate_proj", "up_proj", "down_proj"]

#: What to measure, most informative first. Model ids are catalog ids; ``overrides`` change
#: config.json values (the record carries the config actually used, under its own ``model`` label).
CASES = [
    {"kind": "bandwidth"},
    {"kind": "decode_sweep", "model": "llama-3.1-8b"},
    {"kind": "inference", "model": "gemma-2-2b", "batch": 4, "seq": 6144},
    {"kind": "inference", "model": "gemma-3-1b", "batch": 8, "seq": 4096},
    {"kind": "inference", "model": "gpt-oss-20b", "batch": 2, "seq": 4096},
    {"kind": "inference", "model": "deepseek-v3", "label": "deepseek-v3-4-layers",
     "overrides": {"num_hidden_layers": 4}, "batch": 2, "seq": 2048},
    {"kind": "inference", "model": "qwen3-8b", "batch": 8, "seq": 4096},
    {"kind": "inference", "model": "olmo-2-7b", "batch": 4, "seq": 3072},
    {"kind": "inference", "model": "qwen1.5-moe-a2.7b", "batch": 8, "seq": 2048},
    {"kind": "inference", "model": "llama-3.1-8b", "batch": 4, "seq": 4096, "attn": "eager"},
    {"kind": "inference", "model": "llama-3.1-8b", "batch": 8, "seq": 2048, "dtype": "float16"},
    {"kind": "inference", "model": "llama-3.2-1b", "batch": 4, "seq": 2048, "dtype": "float32"},
    {"kind": "inference", "model": "qwen2.5-0.5b", "batch": 8, "seq": 1024, "logits_to_keep": 0},
    {"kind": "inference", "model": "phi-4-mini", "batch": 4, "seq": 8192},
    {"kind": "inference", "model": "mistral-7b-v0.3", "label": "mistral-7b-v0.3-sliding-4096",
     "overrides": {"sliding_window": 4096}, "batch": 2, "seq": 8192},
    {"kind": "training", "model": "gemma-3-1b", "batch": 4, "seq": 2048, "mode": "mixed"},
    {"kind": "training", "model": "qwen3-1.7b", "batch": 4, "seq": 2048, "mode": "mixed"},
    {"kind": "training", "model": "llama-3.2-1b", "batch": 8, "seq": 2048, "mode": "bf16"},
    {"kind": "training", "model": "qwen2.5-7b", "batch": 1, "seq": 2048, "mode": "lora",
     "lora": {"r": 16, "targets": ALL_LINEARS}},
    {"kind": "training", "model": "olmo-2-7b", "batch": 2, "seq": 3072, "mode": "lora", "grad_ckpt": True,
     "lora": {"r": 8, "targets": ["q_proj", "v_proj"]}},
    {"kind": "training", "model": "gemma-2-2b", "batch": 2, "seq": 4096, "mode": "lora", "grad_ckpt": True,
     "lora": {"r": 16, "targets": ATTENTION_LINEARS}},
    {"kind": "training", "model": "llama-3.2-1b", "batch": 2, "seq": 2048, "mode": "mixed", "attn": "eager"},
    {"kind": "training", "model": "qwen1.5-moe-a2.7b", "batch": 2, "seq": 2048, "mode": "lora", "grad_ckpt": True,
     "lora": {"r": 16, "targets": ATTENTION_LINEARS}},
    {"kind": "decode_sweep", "model": "llama-3.2-1b"},
    {"kind": "decode_sweep", "model": "qwen2.5-14b"},
    {"kind": "training", "model": "llama-3.2-3b", "batch": 4, "seq": 1024, "mode": "bf16"},
    {"kind": "inference", "model": "qwen2.5-14b", "batch": 16, "seq": 4096},
    # Second batch (2026-11-26), measured after the first and kept aside while the memory model was
    # corrected on the first: the check on cases the corrections were not made on.
    {"kind": "inference", "model": "gemma-2-9b", "batch": 2, "seq": 7168},
    {"kind": "inference", "model": "gemma-3-1b", "batch": 4, "seq": 16384},
    {"kind": "inference", "model": "gpt-oss-20b", "batch": 1, "seq": 6144},
    {"kind": "inference", "model": "qwen3-4b", "batch": 16, "seq": 2048, "dtype": "float16"},
    {"kind": "inference", "model": "mistral-7b-v0.3", "batch": 1, "seq": 2048, "dtype": "float32"},
    {"kind": "inference", "model": "phi-3.5-mini", "batch": 2, "seq": 2048, "dtype": "float32"},
    {"kind": "inference", "model": "llama-3.2-3b", "batch": 2, "seq": 4096, "dtype": "float16", "attn": "eager"},
    {"kind": "inference", "model": "qwen2.5-1.5b", "batch": 4, "seq": 2048, "attn": "eager"},
    {"kind": "training", "model": "qwen3-4b", "batch": 2, "seq": 2048, "mode": "lora", "grad_ckpt": True,
     "lora": {"r": 16, "targets": ALL_LINEARS}},
    {"kind": "training", "model": "gemma-2-2b", "batch": 1, "seq": 2048, "mode": "mixed"},
    {"kind": "training", "model": "qwen2.5-1.5b", "batch": 2, "seq": 2048, "mode": "mixed", "attn": "eager"},
    {"kind": "training", "model": "phi-4-mini", "batch": 4, "seq": 2048, "mode": "lora",
     "lora": {"r": 32, "targets": ["qkv_proj"]}},
    {"kind": "training", "model": "llama-3.2-3b", "batch": 4, "seq": 4096, "mode": "bf16", "grad_ckpt": True},
    {"kind": "training", "model": "gemma-3-1b", "batch": 2, "seq": 4096, "mode": "lora", "grad_ckpt": True,
     "lora": {"r": 16, "targets": ATTENTION_LINEARS}},
    {"kind": "training", "model": "mistral-7b-v0.3", "label": "mistral-7b-v0.3-sliding-4096",
     "overrides": {"sliding_window": 4096}, "batch": 2, "seq": 8192, "mode": "lora", "grad_ckpt": True,
     "lora": {"r": 16, "targets": ATTENTION_LINEARS}},
    # Third batch (2026-11-26), designed and measured after every correction made on the first two
    # batches, and used for none: the memory model's check on unseen cases.
    {"kind": "inference", "model": "gemma-2-27b", "batch": 1, "seq": 4096},
    {"kind": "inference", "model": "deepseek-v3", "label": "deepseek-v3-5-layers",
     "overrides": {"num_hidden_layers": 5}, "batch": 1, "seq": 4096},
    {"kind": "inference", "model": "phi-3-mini-4k", "batch": 2, "seq": 4000, "attn": "eager"},
    {"kind": "inference", "model": "qwen2.5-3b", "batch": 2, "seq": 4096, "dtype": "float32"},
    {"kind": "inference", "model": "gemma-3-1b", "batch": 2, "seq": 4096, "attn": "eager"},
    {"kind": "inference", "model": "olmo-2-7b", "batch": 8, "seq": 2048, "dtype": "float16"},
    {"kind": "inference", "model": "llama-3.2-1b", "batch": 4, "seq": 4096, "logits_to_keep": 0},
    {"kind": "training", "model": "gemma-3-1b", "batch": 4, "seq": 2048, "mode": "bf16"},
    {"kind": "training", "model": "olmo-2-7b", "batch": 1, "seq": 2048, "mode": "lora",
     "lora": {"r": 16, "targets": ALL_LINEARS}},
    {"kind": "training", "model": "qwen3-1.7b", "batch": 4, "seq": 4096, "mode": "bf16", "grad_ckpt": True},
    {"kind": "training", "model": "phi-4-mini", "batch": 2, "seq": 4096, "mode": "bf16", "grad_ckpt": True},
    {"kind": "training", "model": "gemma-2-2b", "batch": 2, "seq": 2048, "mode": "lora",
     "lora": {"r": 16, "targets": ALL_LINEARS}},
    {"kind": "training", "model": "llama-3.2-3b", "batch": 2, "seq": 2048, "mode": "lora", "attn": "eager",
     "lora": {"r": 16, "targets": ATTENTION_LINEARS}},
    {"kind": "training", "model": "gemma-3-1b", "batch": 2, "seq": 2048, "mode": "mixed", "attn": "eager"},
    {"kind": "decode_sweep", "model": "qwen3-8b"},
    # Fourth batch (2026-11-26): optimizers other than AdamW, predicted and committed before measuring.
    {"kind": "training", "model": "llama-3.2-1b", "batch": 4, "seq": 1024, "mode": "mixed",
     "optimizer": "torch.optim.SGD"},
    {"kind": "training", "model": "llama-3.2-1b", "batch": 4, "seq": 1024, "mode": "mixed",
     "optimizer": "torch.optim.Adafactor"},
    {"kind": "training", "model": "qwen2.5-0.5b", "batch": 4, "seq": 1024, "mode": "bf16",
     "optimizer": "torch.optim.SGD"},
    {"kind": "training", "model": "llama-3.2-3b", "batch": 2, "seq": 1024, "mode": "bf16",
     "optimizer": "torch.optim.Adafactor"},
    {"kind": "training", "model": "llama-3.2-1b", "batch": 8, "seq": 2048, "mode": "bf16", "grad_ckpt": True,
     "optimizer": "torch.optim.SGD"},
    {"kind": "training", "model": "qwen3-1.7b", "batch": 2, "seq": 2048, "mode": "mixed", "grad_ckpt": True,
     "optimizer": "torch.optim.Adafactor"},
]

#: Index of the first case of the second, third and fourth batch.
SECOND_BATCH = 27
THIRD_BATCH = 42
FOURTH_BATCH = 57

#: First-batch cases whose live tensors at the peak were listed (validation/peak_inventory.py).
INVENTORY_CASES = (16, 15, 20, 17, 9, 4, 11, 2, 18)

SWEEP_BATCHES = (1, 8, 32, 64, 128, 256, 512, 1024)
TINY_SHAPE = {"hidden_size": 64, "intermediate_size": 128, "moe_intermediate_size": 32,
              "shared_expert_intermediate_size": 64, "num_hidden_layers": 2, "vocab_size": 512,
              "num_local_experts": 4, "num_experts": 4, "n_routed_experts": 4, "num_experts_per_tok": 2, "num_attention_heads": 4,
              "q_lora_rank": 32, "kv_lora_rank": 16, "qk_nope_head_dim": 16, "qk_rope_head_dim": 8,
              "v_head_dim": 16, "head_dim": 16, "first_k_dense_replace": 1, "sliding_window": 16}


def catalog_config(case: dict, tiny: bool) -> dict:
    """config.json values of the case: the catalog entry, the case's overrides, tiny shapes on a dry run."""
    models = {m["id"]: m for m in json.loads(CATALOG.read_text(encoding="utf-8"))["models"]}
    config = dict(models[case["model"]]["config"])
    config.update(case.get("overrides", {}))
    if tiny:
        multi_head = config.get("num_key_value_heads") == config.get("num_attention_heads")
        config.update({k: v for k, v in TINY_SHAPE.items() if k in config})
        config["num_key_value_heads"] = 4 if multi_head else 2
        if "layer_types" in config:
            config["layer_types"] = config["layer_types"][: config["num_hidden_layers"]]
        config["pad_token_id"] = 0
        if config["model_type"] == "deepseek_v3":  # expert groups must divide the tiny expert count
            config.update(n_group=1, topk_group=1)
    return config


def case_record(case: dict, config: dict) -> dict:
    """The scenario part of a record: what the calculators read."""
    record = {k: v for k, v in case.items() if k not in ("label", "overrides")}
    record["model"] = case.get("label", case["model"])
    record["config"] = config
    return record
