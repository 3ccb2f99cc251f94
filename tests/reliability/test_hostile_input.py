"""Hostile input: every entry point either computes or gives one clear error naming the field, quickly.

Generated JSON (wrong types, NaN, infinities, negative and huge numbers, megabyte strings, unknown keys,
nesting deeper than Python's recursion limit) goes into the config.json parser, the architecture builder, the
scenario runner (every kind), every registered widget (every field) and the command line. An answer is either a
result whose numbers are all finite, or one ``CalculatorError`` (``InputError`` naming the field) whose message
is short; for a widget ``{"ok": False, "field": <one of its fields>, "message": ...}``; for the command line exit
status 2 and a single stderr line starting ``error:``. Every call runs under a hard time bound (``CALL_SECONDS``).
A traceback, a hang, an escaping ``RecursionError`` or ``MemoryError`` fails the test.
"""

import concurrent.futures
import json
import math
import os
import pathlib
import resource
import subprocess
import sys
import tracemalloc

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from calculators import architectures, scenarios, widgets
from calculators.architectures import Architecture, build
from calculators.catalogs import models
from calculators.core import json_input
from calculators.core.errors import CalculatorError, InputError
from calculators.memory import InferenceSetup, TrainingSetup, estimate_inference, estimate_training
from calculators.speed import decode_step
from tests.reliability.support import CALL_SECONDS, FEW, FUZZ, MODEL_IDS, WIDGET_FUZZ, time_bound

ROOT = pathlib.Path(__file__).resolve().parents[2]
#: Longest error message accepted: one readable sentence, never an echo of a megabyte of input.
MAX_MESSAGE = 400
MEGABYTE_TEXT = "x" * 2_000_000
DEEP = 100_000  # nesting depth far beyond sys.getrecursionlimit()

# --- generated JSON -------------------------------------------------------------------------------------------

special_numbers = st.sampled_from([
    0, -1, 1, -0.0, 0.5, 2**31, 2**63, -(2**63), 10**18, 10**19, 10**24, 10**30, 10**400, 1e308, -1e308, 5e-324,
    float("nan"), float("inf"), float("-inf")])
special_text = st.sampled_from([
    "", " ", "0", "-1", "1e999", "-1e999", "NaN", "nan", "inf", "-Infinity", "1_000", "0x10", "1,5", "9" * 5000,
    "١٢٣", "\u0000", "\ud800", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "llama",
    "bfloat16", "all-linear", "x" * 70_000, MEGABYTE_TEXT])
scalars = st.one_of(
    st.none(), st.booleans(), special_numbers, special_text,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12)

CONFIG_KEYS = sorted({key for m in models.all_models().values() for key in m.config}
                     | {name for names in architectures.dims.ALIASES.values() for name in names})


@st.composite
def configs(draw):
    """A catalog config.json with a few keys replaced, removed or added with hostile values."""
    config = dict(models.get(draw(st.sampled_from(MODEL_IDS))).config)
    for _ in range(draw(st.integers(1, 4))):
        key = draw(st.one_of(st.sampled_from(CONFIG_KEYS), st.text(max_size=12)))
        if draw(st.integers(0, 4)) == 0:
            config.pop(key, None)
        else:
            config[key] = draw(json_values)
    return config


def to_text(value) -> str:
    """JSON text, NaN and infinities written as Python's json module writes them (which JSON forbids)."""
    return json.dumps(value)


# --- what an answer may be ------------------------------------------------------------------------------------

def answer(function, *args, seconds=CALL_SECONDS, **kwargs):
    """Call under the time bound; return the result or the ``CalculatorError`` (anything else escapes)."""
    with time_bound(seconds, function.__qualname__):
        try:
            return function(*args, **kwargs)
        except CalculatorError as error:
            return error


def assert_clear_error(error: CalculatorError, fields=None):
    text = str(error)
    assert text and "\n" not in text and len(text) <= MAX_MESSAGE, text[:MAX_MESSAGE * 2]
    assert "Traceback" not in text
    if isinstance(error, InputError):
        assert isinstance(error.field, str) and 0 < len(error.field) <= json_input.MAX_PATH_CHARS, error.field
        if fields is not None:
            root = error.field.split(".", 1)[0].split("[", 1)[0]
            assert root in fields, f"error names {error.field!r}, not one of {sorted(fields)}: {text}"


def assert_finite(value, path="result"):
    """Every number in a JSON-ready result is finite (NaN or infinity must never reach a reader)."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert_finite(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for item in value:
            assert_finite(item, path)
    elif isinstance(value, float):
        assert math.isfinite(value), path
    json.dumps(value, allow_nan=False)


def check_architecture(model: Architecture):
    """A config that builds also estimates: memory and speed at default settings compute or refuse cleanly."""
    assert model.n_params > 0 and 0 <= model.active_params <= model.n_params
    for function, args in ((estimate_inference, (InferenceSetup(),)), (estimate_training, (TrainingSetup(),)),
                           (decode_step, ("h100-sxm",))):
        result = answer(function, model, *args)
        if isinstance(result, CalculatorError):
            assert_clear_error(result)
        elif hasattr(result, "as_dict"):
            assert_finite(result.as_dict())
        else:
            assert math.isfinite(result.step_seconds) and result.step_seconds > 0


# --- config.json parser and architecture builder --------------------------------------------------------------

@FUZZ
@given(st.one_of(configs(), json_values))
def test_config_as_a_dict_parses_or_names_the_field(config):
    parsed = answer(json_input.parse_config, config)
    if isinstance(parsed, CalculatorError):
        assert_clear_error(parsed, {"config"})
        return
    assert parsed is config
    built = answer(architectures.build, config)
    if isinstance(built, CalculatorError):
        assert_clear_error(built, {"config"})
    else:
        check_architecture(built)


@FUZZ
@given(st.one_of(configs(), json_values).map(to_text))
def test_config_as_json_text_parses_or_names_the_field(text):
    built = answer(architectures.build, text)
    if isinstance(built, CalculatorError):
        assert_clear_error(built, {"config"})
    else:
        check_architecture(built)


@FUZZ
@given(st.one_of(configs().map(to_text), st.text(max_size=200)),
       st.sampled_from(["truncate", "garbage", "bom", "wrap", "duplicate", "none"]), st.integers(0, 200))
def test_mangled_json_text_parses_or_names_the_field(text, how, at):
    text = {"truncate": text[:at], "garbage": text[:at] + "}{,:\"\\" + text[at:], "bom": "\ufeff" + text,
            "wrap": "[" + text + "]", "duplicate": text[:-1] + ', "hidden_size": -1}' if text.endswith("}") else text,
            "none": text}[how]
    built = answer(architectures.build, text)
    if isinstance(built, CalculatorError):
        assert_clear_error(built, {"config"})


def deep_list_text(depth):
    return "[" * depth + "]" * depth


def deep_dict(depth):
    value = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def deep_list(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


HUGE_CONFIGS = {
    "deep list text": deep_list_text(DEEP),
    "deep object text": '{"a":' * DEEP + "1" + "}" * DEEP,
    "deep inside a real config": to_text({**models.get("llama-3.1-8b").config, "rope_scaling": None})[:-1]
    + ', "x": ' + deep_list_text(DEEP) + "}",
    "deep dict": deep_dict(DEEP),
    "deep list value": {"model_type": "llama", "hidden_size": deep_list(DEEP)},
    "self-referencing dict": (lambda d: (d.__setitem__("self", d), d)[1])({"model_type": "llama"}),
    "megabyte string value": {**models.get("llama-3.1-8b").config, "model_type": MEGABYTE_TEXT},
    "megabyte of text": MEGABYTE_TEXT,
    "over a megabyte of JSON": to_text({"pad": MEGABYTE_TEXT}),
    "a million numbers": "[" + ",".join(["1"] * 400_000) + "]",
    "more values than accepted": to_text({"a": [0] * (json_input.MAX_ITEMS + 10)}),
    "5000-digit integer": '{"hidden_size": ' + "9" * 5000 + "}",
    "huge exponent": '{"hidden_size": 1e99999}',
    "NaN literal": '{"hidden_size": NaN}',
    "Infinity literal": '{"hidden_size": -Infinity}',
    "bytes that are not UTF-8": b'{"model_type": "\xff\xfe"}',
    "every size at its limit": {**models.get("llama-3.1-8b").config, "num_hidden_layers": 1024,
                                "hidden_size": 2**17, "intermediate_size": 2**20, "vocab_size": 10**7,
                                "num_attention_heads": 4096, "num_key_value_heads": 4096},
    "1024 layers": {**models.get("llama-3.1-8b").config, "num_hidden_layers": 1024},
    "4096 experts": {**models.get("deepseek-v3").config, "n_routed_experts": 4096, "num_experts_per_tok": 4096,
                     "num_hidden_layers": 8},
}


@pytest.mark.parametrize("name", list(HUGE_CONFIGS))
def test_huge_and_deep_configs_are_refused_or_computed_quickly_in_bounded_memory(name):
    config = HUGE_CONFIGS[name]
    tracemalloc.start()
    try:
        built = answer(architectures.build, config, seconds=3 * CALL_SECONDS)  # tracing slows Python ~3x
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20, f"{name}: {peak / 2**20:.0f} MiB allocated"
    if isinstance(built, CalculatorError):
        assert_clear_error(built, {"config"})
    else:
        check_architecture(built)


def test_the_documented_limits_are_the_ones_enforced():
    """Just over each limit is refused with the limit's field; just under is accepted (so both sides are live)."""
    limit = json_input.MAX_TEXT_CHARS
    padded = '{"pad": "' + "x" * (limit - 12) + '"}'
    assert len(padded) <= limit and json_input.parse_config(padded)
    with pytest.raises(InputError, match="characters"):
        json_input.parse_config(padded[:-2] + 'xx"}')
    depth = json_input.MAX_DEPTH
    assert json_input.parse_config('{"a":' + deep_list_text(depth - 1) + "}")
    with pytest.raises(InputError, match="nested"):
        json_input.parse_config('{"a":' + deep_list_text(depth + 1) + "}")
    with pytest.raises(InputError, match="too large"):
        json_input.parse_config('{"a": ' + "9" * (json_input.MAX_INT_DIGITS + 1) + "}")
    with pytest.raises(InputError, match="values"):
        json_input.parse_config({"a": [0] * json_input.MAX_ITEMS})


# --- scenario records (every kind) ------------------------------------------------------------------------------

RECORD_KEYS = ("model", "config", "batch", "seq", "new_tokens", "dtype", "quant", "weight_format", "kv_dtype", "attn",
               "logits_to_keep", "runtime", "gpu_memory_bytes", "gpu_memory_utilization", "max_num_batched_tokens",
               "lora", "mode", "optimizer", "grad_ckpt", "qlora_format", "zero_stage", "num_gpus", "gpu")
#: Fields an error may name besides the record's own keys (the setup's name for a nested value).
RECORD_FIELDS = set(RECORD_KEYS) | {"scenario", "case", "kind", "lora_rank", "lora_targets", "prices"}
PLAUSIBLE = {
    "model": st.sampled_from(MODEL_IDS), "config": configs(), "batch": st.integers(1, 64),
    "seq": st.integers(1, 8192), "new_tokens": st.integers(0, 512),
    "dtype": st.sampled_from(["bfloat16", "float16", "float32", "fp8"]),
    "quant": st.sampled_from(["bf16", "q4_k_m", "nf4", "fp8", "gptq-int4"]),
    "kv_dtype": st.sampled_from(["fp8", "bf16"]), "attn": st.sampled_from(["sdpa", "eager", "flash"]),
    "runtime": st.sampled_from(["transformers", "vllm", "llama.cpp"]),
    "gpu_memory_bytes": st.sampled_from([24e9, 80e9]), "mode": st.sampled_from(["mixed", "bf16", "lora", "qlora"]),
    "lora": st.fixed_dictionaries({}, optional={
        "r": st.one_of(st.integers(1, 64), json_values),
        "targets": st.one_of(st.sampled_from([["q_proj", "v_proj"], ["all-linear"], "q_proj,v_proj"]), json_values)}),
    "optimizer": st.sampled_from(["adamw", "sgd", "adafactor"]), "zero_stage": st.integers(0, 3),
    "num_gpus": st.integers(1, 8), "gpu": st.sampled_from(["h100-sxm", "NVIDIA H200", "rtx-4090"]),
}


@st.composite
def records(draw):
    record = {"kind": draw(st.one_of(st.sampled_from(sorted(scenarios.HANDLERS)), json_values))}
    for key in draw(st.lists(st.sampled_from(RECORD_KEYS), max_size=6, unique=True)):
        plausible = PLAUSIBLE.get(key)
        record[key] = draw(plausible if plausible is not None and draw(st.booleans()) else json_values)
    if draw(st.booleans()):
        record[draw(st.text(max_size=10))] = draw(json_values)  # unknown keys are ignored
    return record


@FUZZ
@given(records())
def test_every_scenario_kind_computes_or_names_the_field(record):
    result = answer(scenarios.run, record)
    if isinstance(result, CalculatorError):
        assert_clear_error(result, RECORD_FIELDS | set(record))
    else:
        assert isinstance(result, dict)
        assert_finite(result)


@FEW
@given(st.sampled_from(sorted(scenarios.HANDLERS)), json_values)
def test_a_scenario_that_is_not_an_object_is_refused(kind, value):
    if isinstance(value, dict):
        value = [value]
    result = answer(scenarios.run, value)
    assert isinstance(result, InputError) and result.field == "scenario"
    assert isinstance(answer(scenarios.run, {"kind": kind, **{f"k{i}": i for i in range(500)}}), InputError)


# --- widgets (every registered widget, every field) -----------------------------------------------------------

WIDGET_IDS = sorted(widgets.WIDGETS)
PAYLOAD = "<img src=x onerror=alert(1)><script>alert(1)</script>"


def field_values(field):
    options = [value for value, _ in field.options]
    hostile = st.one_of(special_text, st.text(max_size=40), json_values.map(to_text), st.just(PAYLOAD))
    if field.kind == "select":
        return st.one_of(st.sampled_from(options), hostile)
    if field.kind == "textarea":
        return st.one_of(configs().map(to_text), hostile)
    if field.kind == "number":
        return st.one_of(st.integers(-10, 10**6).map(str), special_numbers.map(str),
                         st.floats(allow_nan=True, allow_infinity=True).map(repr), hostile)
    return hostile


@st.composite
def widget_inputs(draw, widget_id):
    widget = widgets.WIDGETS[widget_id]
    inputs = {}
    for field in draw(st.lists(st.sampled_from(widget.fields), max_size=len(widget.fields), unique=True)):
        inputs[field.name] = draw(field_values(field))
    if "config" in inputs and any(f.name == "model" for f in widget.fields) and draw(st.booleans()):
        inputs["model"] = "custom"
    if draw(st.booleans()):
        inputs[draw(st.text(max_size=10))] = draw(json_values)  # unknown inputs are ignored
    return inputs


def check_widget_answer(widget_id, inputs, result):
    widget = widgets.WIDGETS[widget_id]
    json.dumps(result, allow_nan=False)
    assert result["ok"] in (True, False)
    if result["ok"]:
        outputs = result["outputs"]
        assert set(outputs) == {o.name for o in widget.outputs}
        for output in widget.outputs:
            text = outputs[output.name]
            assert isinstance(text, str), output.name
            assert "nan" not in text.lower().replace("nano", "").split() and "inf " not in text.lower(), text[:200]
            if output.kind in ("svg", "html"):  # markup built by the calculators: input text only ever escaped
                assert "<script" not in text.lower() and "<img" not in text.lower(), output.name
    else:
        assert set(result) == {"ok", "field", "message"}
        names = {f.name for f in widget.fields}
        assert result["field"] in names, f"error not placed on a field: {result}"
        message = result["message"]
        assert isinstance(message, str) and message and len(message) <= MAX_MESSAGE, message[:MAX_MESSAGE * 2]
        assert "Traceback" not in message and "could not compute" not in message, message


@pytest.mark.parametrize("widget_id", WIDGET_IDS)
def test_every_widget_computes_or_names_the_field(widget_id):
    @WIDGET_FUZZ
    @given(widget_inputs(widget_id))
    def run(inputs):
        note(f"inputs: { {k: (v[:200] if isinstance(v, str) else v) for k, v in inputs.items()} }")
        with time_bound(CALL_SECONDS, f"widget {widget_id}"):
            result = widgets.run(widget_id, inputs)
        check_widget_answer(widget_id, inputs, result)

    run()


@pytest.mark.parametrize("widget_id", WIDGET_IDS)
@pytest.mark.parametrize("value", ["", "nan", "-inf", "1e400", "-1", "9" * 5000, MEGABYTE_TEXT, PAYLOAD,
                                   deep_list_text(DEEP), "\ud800"])
def test_every_field_of_every_widget_survives_a_hostile_value(widget_id, value):
    widget = widgets.WIDGETS[widget_id]
    for field in widget.fields:
        inputs = {field.name: value}
        if field.kind == "textarea" and any(f.name == "model" for f in widget.fields):
            inputs["model"] = "custom"
        with time_bound(CALL_SECONDS, f"widget {widget_id}.{field.name}"):
            result = widgets.run(widget_id, inputs)
        check_widget_answer(widget_id, inputs, result)


def test_a_bad_weight_format_is_placed_on_the_weights_field():
    unplaced = {}
    for widget_id, widget in sorted(widgets.WIDGETS.items()):
        if any(f.name == "weights" for f in widget.fields):
            result = widgets.run(widget_id, {"weights": "fp3"})
            if result["ok"] or result["field"] != "weights":
                unplaced[widget_id] = result
    assert not unplaced


@pytest.mark.parametrize("widget_id", WIDGET_IDS)
@pytest.mark.parametrize("text", ["", "{", "[]", "null", deep_list_text(DEEP), '{"a":' * DEEP, MEGABYTE_TEXT,
                                  '{"__proto__": {"x": 1}}'])
def test_run_json_answers_json_for_any_text(widget_id, text):
    with time_bound(CALL_SECONDS, "run_json"):
        reply = json.loads(widgets.run_json(widget_id, text))
    assert reply["ok"] in (True, False)
    if not reply["ok"]:
        assert reply["message"] and len(reply["message"]) <= MAX_MESSAGE


# --- the command line -----------------------------------------------------------------------------------------

#: Interpreter start-up included (the calculators' own share is bounded by CALL_SECONDS in the tests above).
PROCESS_SECONDS = 30
#: Address-space limit of each command: a runaway allocation becomes a MemoryError, which fails the test.
PROCESS_MEMORY = 2 * 2**30


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (PROCESS_MEMORY, PROCESS_MEMORY))


def cli(args, stdin=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "calculators", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, timeout=PROCESS_SECONDS, preexec_fn=_limit_memory)


CASE_FILES = {
    "valid inference": to_text({"kind": "inference", "model": "llama-3.1-8b", "batch": 2}),
    "valid training": to_text({"kind": "training", "model": "qwen2.5-0.5b", "mode": "lora"}),
    "valid linear decode step": to_text({"kind": "linear_decode_step", "model": "llama-3.2-1b", "gpu": "h100-sxm",
                                         "batch": 8}),
    "custom config": to_text({"kind": "inference", "config": {**models.get("qwen3-0.6b").config,
                                                              "num_hidden_layers": 2}}),
    "NaN batch": '{"kind": "inference", "model": "llama-3.1-8b", "batch": NaN}',
    "huge exponent": '{"kind": "inference", "model": "llama-3.1-8b", "seq": 1e400}',
    "markup batch": '{"kind": "training", "model": "llama-3.1-8b", "batch": "<script>"}',
    "deep nesting": '{"kind": "inference", "config": ' + deep_list_text(DEEP) + "}",
    "over a megabyte": to_text({"kind": "inference", "pad": MEGABYTE_TEXT}),
    "not an object": "[1, 2, 3]",
    "empty": "",
    "unknown kind": '{"kind": "teleport"}',
    "lora targets a number": to_text({"kind": "training", "model": "llama-3.2-1b", "mode": "lora",
                                      "lora": {"targets": 5}}),
}
HOSTILE_CONFIG = '{"model_type": "llama", "hidden_size": ' + deep_list_text(DEEP) + "}"

#: name: (arguments, standard input, True = must be refused / False = must compute).
COMMANDS = {
    **{f"estimate {name}": (("estimate", "--json", "{dir}/" + name.replace(" ", "-") + ".json"), None,
                            not name.startswith(("valid", "custom"))) for name in CASE_FILES},
    "estimate from stdin": (("estimate", "--json", "-"), b'{"kind": "inference", "model": "qwen3-0.6b"}', False),
    "estimate bytes that are not UTF-8": (("estimate", "--json", "{dir}/latin1.json"), None, True),
    "estimate missing file": (("estimate", "--json", "{dir}/missing.json"), None, True),
    "vram works": (("vram", "qwen3-0.6b", "--batch", "2"), None, False),
    "vram negative batch": (("vram", "llama-3.1-8b", "--batch", "-1"), None, True),
    "vram NaN sequence": (("vram", "llama-3.1-8b", "--seq", "nan"), None, True),
    "vram markup as the model": (("vram", "<script>alert(1)</script>"), None, True),
    "vram training, 1e30 GPUs": (("vram", "llama-3.1-8b", "--train", "mixed", "--zero", "3", "--gpus", "1e30"), None,
                                 True),
    "vram deeply nested config": (("vram", "--config", "{dir}/hostile-config.json"), None, True),
    "speed catalog model": (("speed", "llama-3.2-1b", "--batch", "1,8"), None, False),
    "speed deeply nested config": (("speed", "--config", "{dir}/hostile-config.json", "--batch", "1"), None, True),
    "speed zero batch": (("speed", "llama-3.2-1b", "--batch", "0"), None, True),
    "speed 100 kB GPU name": (("speed", "llama-3.2-1b", "--gpu", "x" * 100_000), None, True),
    "gpus list": (("gpus",), None, False),
    "gpus fits works": (("gpus", "--fits", "llama-3.2-1b", "--top", "3"), None, False),
    "gpus fits with a bad count": (("gpus", "--fits", "llama-3.2-1b", "--counts", "1,x"), None, True),
    "gpus fits with a NaN price": (("gpus", "--fits", "llama-3.2-1b", "--price", "h100-sxm=nan"), None, True),
    "weights works": (("weights", "8.03e9", "--format", "int4"), None, False),
    "weights NaN": (("weights", "nan"), None, True),
    "weights 1e400": (("weights", "1e400"), None, True),
    "weights markup format": (("weights", "8e9", "--format", "<b>fp3</b>"), None, True),
    "unknown option": (("weights", "8e9", "--nope"), None, True),
}


@pytest.fixture(scope="module")
def cli_answers(tmp_path_factory):
    """Every command of ``COMMANDS`` run once, four at a time (each one a fresh interpreter)."""
    folder = tmp_path_factory.mktemp("cli")
    for name, text in CASE_FILES.items():
        (folder / (name.replace(" ", "-") + ".json")).write_text(text, encoding="utf-8")
    (folder / "latin1.json").write_bytes(b'{"kind": "inference", "model": "\xff\xfe"}')
    (folder / "hostile-config.json").write_text(HOSTILE_CONFIG, encoding="utf-8")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = {name: pool.submit(cli, [a.replace("{dir}", str(folder)) for a in args], stdin)
                   for name, (args, stdin, _) in COMMANDS.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_command_line(name, cli_answers):
    process, must_fail = cli_answers[name], COMMANDS[name][2]
    stderr = process.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr and "MemoryError" not in stderr, stderr[-2000:]
    if must_fail:
        assert process.returncode == 2, (process.returncode, process.stdout[:300], stderr[-2000:])
        lines = stderr.splitlines()
        assert len(lines) == 1 and len(lines[0]) <= MAX_MESSAGE + 50, stderr[:2000]
        # calculator errors start with "error:"; argparse's own usage errors with the program name
        assert lines[0].startswith("error: ") or lines[0].startswith("python -m calculators"), lines[0]
        assert "error: " in lines[0] and not process.stdout
    else:
        assert process.returncode == 0 and process.stdout and not stderr, (process.returncode, stderr[-2000:])
        if COMMANDS[name][0][0] == "estimate":
            assert_finite(json.loads(process.stdout))


@pytest.mark.parametrize("mode", ["lora", "qlora", "amp"])
def test_the_largest_accepted_model_trains_within_the_call_bound(mode):
    """num_hidden_layers "1e3" (text, in range) was reported at over 3 s for LoRA under fuzzing: every layer scanned
    all of the model's tensors (0.32 s on the build machine before the layer objects, 0.02 s after)."""
    arch = answer(build, {"model_type": "llama", "num_hidden_layers": "1e3"})
    assert arch.num_layers == 1000
    setup = TrainingSetup(mode=mode, lora_rank=16 if mode != "amp" else 0)
    estimate = answer(estimate_training, arch, setup)
    assert not isinstance(estimate, Exception) and estimate.peak_allocated_bytes > 0
