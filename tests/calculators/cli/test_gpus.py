"""The gpus command: the catalog listing, and the GPUs that fit a model ranked by speed or cost."""

import json

from calculators import cli
from tests.calculators.support import LLAMA_70B


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
