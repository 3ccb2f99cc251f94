"""Arithmetic on catalog figures for prose: ``weight_bytes("llama-3.1-8b", "bf16") / GB`` → ``16.06``.

Worked examples quote numbers derived from the catalogs (a model's weights divided by a card's bandwidth). Pages
write the derivation instead of its result, so a catalog correction updates every page that depends on it. The
language is a small, safe subset of Python expressions: numbers, strings, ``+ - * / // % **``, parentheses and
calls to the functions in ``FUNCTIONS``; names in ``CONSTANTS`` are unit sizes (``GB``, ``GiB``, ``ms`` …) so an
expression reads like the sentence around it.
"""

import ast
import math
import operator
import re

from calculators import data
from calculators.catalogs import formats, gpus, models
from calculators.core.errors import InputError
from calculators.core.units import GB, GIB, KB, KIB, MB, MIB, TB, TIB, format_number
from calculators.memory.kv_cache import kv_cache_size
from calculators.memory.weights import weight_bytes as _weight_bytes

MAX_EXPRESSION_CHARS = 400
#: Exponents and integers beyond these are refused: ``10 ** 10 ** 10`` must fail fast, not hang the build.
MAX_EXPONENT = 64
MAX_INTEGER_BITS = 256
#: What may follow the last ``:``: a Python format spec with optional grouping, precision and type.
FORMAT_SPEC = re.compile(r",?(?:\.\d{1,2})?[fge%]?")

CONSTANTS = {
    "KB": KB, "MB": MB, "GB": GB, "TB": TB, "KiB": KIB, "MiB": MIB, "GiB": GIB, "TiB": TIB,
    "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "TFLOP": 1e12, "PFLOP": 1e15,
}


def _record(catalog: str, key: str, entry_id: str, id_field: str = "id") -> dict:
    record = data.find(catalog, key, entry_id, id_field=id_field)
    if record is None:
        raise InputError("expression", f"no entry {entry_id!r} in {catalog}")
    return record


def _field(record: dict, path: str, where: str) -> float:
    try:
        value = data.dig(record, path)
    except KeyError:
        raise InputError("expression", f"{where} has no field {path!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError("expression", f"{where} field {path!r} is {value!r}, not a number")
    return value


def gpu(gpu_id: str, path: str) -> float:
    """A numeric GPU catalog field, e.g. ``gpu("h100-sxm", "memory_bandwidth_tb_per_s")``."""
    record = gpus.record_with_derived(gpu_id)
    if record is None:
        raise InputError("expression", f"no entry {gpu_id!r} in gpus.json")
    return _field(record, path, f"gpu {gpu_id!r}")


def model(model_id: str, path: str) -> float:
    """A numeric model catalog field, e.g. ``model("llama-3.1-8b", "config.num_hidden_layers")``."""
    return _field(_record("models.json", "models", model_id), path, f"model {model_id!r}")


def sm(compute_capability: str, path: str) -> float:
    """A per-SM limit by compute capability, e.g. ``sm("9.0", "shared_memory_per_sm_kib")``."""
    record = _record("sm_limits.json", "limits", compute_capability, id_field="compute_capability")
    return _field(record, path, f"compute capability {compute_capability}")


def _architecture(model_id: str):
    return models.resolve(model_id)[1]


def params(model_id: str) -> int:
    """Parameter count computed from the model's config.json, as the calculators count it."""
    return _architecture(model_id).n_params


def active_params(model_id: str) -> int:
    """Parameters one token passes through (differs from ``params`` for mixture-of-experts models)."""
    return _architecture(model_id).active_params


def weight_bytes(model_id: str, format_id: str, role: str | None = None) -> float:
    """Bytes of the model's weights in a format, tensor by tensor; ``role`` narrows to e.g. ``"embedding"``."""
    result = _weight_bytes(_architecture(model_id), format_id, field="expression")
    return result.total_bytes if role is None else result.role_bytes(role)


def kv_bytes_per_token(model_id: str, kv_format: str = "bf16") -> float:
    """KV-cache bytes one token adds across all layers."""
    return kv_cache_size(_architecture(model_id), context_tokens=1, kv_format=kv_format).bytes_per_token


def kv_bytes(model_id: str, tokens: int, batch: int = 1, kv_format: str = "bf16") -> float:
    """KV-cache bytes of ``batch`` sequences of ``tokens`` tokens (sliding-window layers capped)."""
    return kv_cache_size(_architecture(model_id), context_tokens=tokens, batch=batch, kv_format=kv_format).bytes_per_batch


def bits(format_id: str) -> float:
    """Bits per stored value of a number format, scales included (``bits("q4_k_m")``)."""
    return formats.get(format_id, field="expression").bits_per_value


FUNCTIONS = {
    "gpu": gpu, "model": model, "sm": sm, "params": params, "active_params": active_params,
    "weight_bytes": weight_bytes, "kv_bytes_per_token": kv_bytes_per_token, "kv_bytes": kv_bytes, "bits": bits,
    "min": min, "max": max, "round": round, "ceil": math.ceil, "floor": math.floor, "sqrt": math.sqrt,
    "log2": math.log2,
}

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}


def evaluate(expression: str) -> float:
    """The value of one expression; any other Python (attributes, names, lambdas…) is refused."""
    if not isinstance(expression, str) or not expression.strip():
        raise InputError("expression", "is empty")
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise InputError("expression", f"is longer than {MAX_EXPRESSION_CHARS} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise InputError("expression", f"is not a valid expression ({error.msg})") from None
    value = _eval(tree.body)
    if isinstance(value, str) or not math.isfinite(value):
        raise InputError("expression", f"does not give a finite number: {expression.strip()!r}")
    return value


def _eval(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        raise InputError("expression", f"unknown name {node.id!r}; units are {', '.join(CONSTANTS)}")
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_number(_eval(node.operand)))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _number(_eval(node.left)), _number(_eval(node.right))
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise InputError("expression", f"exponent {right} is larger than {MAX_EXPONENT}")
        try:
            value = _BINARY[type(node.op)](left, right)
        except (ZeroDivisionError, OverflowError) as error:
            raise InputError("expression", f"cannot be computed ({error})") from None
        if isinstance(value, int) and value.bit_length() > MAX_INTEGER_BITS:
            raise InputError("expression", f"gives an integer larger than 2**{MAX_INTEGER_BITS}")
        return value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        args = [_eval(arg) for arg in node.args]
        kwargs = {kw.arg: _eval(kw.value) for kw in node.keywords if kw.arg}
        if len(kwargs) != len(node.keywords):
            raise InputError("expression", "**keyword unpacking is not allowed")
        try:
            return FUNCTIONS[node.func.id](*args, **kwargs)
        except (TypeError, ValueError, OverflowError) as error:
            raise InputError("expression", f"{node.func.id}(): {error}") from None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        raise InputError("expression", f"unknown function {node.func.id!r}; known: {', '.join(FUNCTIONS)}")
    raise InputError("expression", f"{type(node).__name__} is not allowed; use numbers, units, + - * / ** and "
                                   "the catalog functions")


def _number(value):
    if isinstance(value, str):
        raise InputError("expression", f"{value!r} is text where a number is needed")
    return value


def render(text: str) -> str:
    """``EXPR`` or ``EXPR :SPEC`` as prose: ``SPEC`` is a format spec such as ``.1f`` or ``,.0f``."""
    expression, spec = text, ""
    head, sep, tail = text.rpartition(":")
    if sep and FORMAT_SPEC.fullmatch(tail.strip()) and tail.strip():
        expression, spec = head, tail.strip()
    value = evaluate(expression)
    if spec:
        return format(value, spec)
    return format_number(value)
