"""Accept a JSON object (a config.json, a scenario record) as a dict or as text, safely.

Hostile input (huge text, deep nesting, giant numbers, NaN, wrong types) raises
``InputError`` naming the field; nothing here can hang or exhaust memory.
"""

import json

from calculators.core.errors import InputError

#: Largest accepted JSON text (real config.json files are a few kB).
MAX_TEXT_CHARS = 1_000_000
#: Deepest accepted nesting of lists/objects (real configs nest 3–4 levels).
MAX_DEPTH = 32
#: Most values (scalars, lists, objects) in one config.
MAX_ITEMS = 100_000
#: Longest accepted integer literal, in digits.
MAX_INT_DIGITS = 24
#: Longest field path an error names (``config.rope_scaling.factor``); deeper paths end in ``.…``.
MAX_PATH_CHARS = 120


def _number_parsers(field: str) -> dict:
    """``json.loads`` hooks that refuse numbers too large to compute with, naming ``field``."""
    def parse_int(text: str) -> int:
        if len(text.lstrip("-")) > MAX_INT_DIGITS:
            raise InputError(field, f"number {text[:20]}… is too large")
        return int(text)

    def parse_float(text: str) -> float:
        if len(text) > 64:
            raise InputError(field, f"number {text[:20]}… is too long")
        value = float(text)
        if value in (float("inf"), float("-inf")):
            raise InputError(field, f"number {text[:20]} is too large")
        return value

    def reject_constant(name: str):
        raise InputError(field, f"{name} is not a valid number in JSON")

    return {"parse_int": parse_int, "parse_float": parse_float, "parse_constant": reject_constant}


def _check_depth(text: str, field: str) -> None:
    """Refuse deep nesting before the JSON parser recurses into it."""
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(field, f"is nested more than {MAX_DEPTH} levels deep")
        elif char in "]}":
            depth -= 1


def _child(path: str, key: str) -> str:
    if path.endswith(".…"):
        return path
    return f"{path}.{key[:40]}" if len(path) <= MAX_PATH_CHARS - 42 else path + ".…"


def _check_tree(value, path: str, depth: int, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise InputError(path.split(".", 1)[0], f"has more than {MAX_ITEMS} values")
    if depth > MAX_DEPTH:
        raise InputError(path, f"is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InputError(path, f"has a non-text key {key!r:.40}")
            _check_tree(item, _child(path, key), depth + 1, budget)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_tree(item, path, depth + 1, budget)
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        return
    elif isinstance(value, int):
        if abs(value) >= 10**MAX_INT_DIGITS:
            raise InputError(path, "number is too large")
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(path, "must be a finite number")
    else:
        raise InputError(path, f"unsupported value of type {type(value).__name__}")


def parse_json_object(value, field: str) -> dict:
    """A JSON object given as a dict, text or bytes, checked for size, depth and types; errors name ``field``."""
    if isinstance(value, bytes | bytearray):
        if len(value) > MAX_TEXT_CHARS * 4:
            raise InputError(field, "is too large")
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(field, "is not UTF-8 text") from None
    if isinstance(value, str):
        if len(value) > MAX_TEXT_CHARS:
            raise InputError(field, f"is {len(value):,} characters; at most {MAX_TEXT_CHARS:,} accepted")
        if not value.strip():
            raise InputError(field, "is empty")
        _check_depth(value, field)
        try:
            value = json.loads(value, **_number_parsers(field))
        except json.JSONDecodeError as error:
            raise InputError(field, f"is not valid JSON ({error.msg} at line {error.lineno}, "
                                    f"column {error.colno})") from None
        except RecursionError:
            raise InputError(field, "is nested too deeply") from None
    if not isinstance(value, dict):
        raise InputError(field, f"expected a JSON object, got {type(value).__name__}")
    _check_tree(value, field, 0, [MAX_ITEMS])
    return value


def parse_config(value) -> dict:
    """A config.json given as a dict or JSON text (errors name ``config``)."""
    return parse_json_object(value, "config")
