"""What the commands share: the one "catalog model or --config FILE" reader, the JSON file reader with its size
limit, and comma-separated lists."""

import pathlib
import sys

from calculators.architectures import Architecture
from calculators.catalogs import models
from calculators.core.errors import InputError
from calculators.core.json_input import MAX_TEXT_CHARS, parse_json_object


def add_model_arguments(parser, *, positional: bool = True) -> None:
    if positional:
        parser.add_argument("model", nargs="?", help="catalog model id, e.g. llama-3.1-8b (or give --config)")
    parser.add_argument("--config", help="path to a Hugging Face config.json (instead of a catalog id)")


def read_json_file(path: str, field: str) -> dict:
    """The JSON object in the file at ``path`` ('-' = standard input), parsed safely; problems name ``field``."""
    return parse_json_object(read_text_file(path, field), field)


def read_text_file(path: str, field: str) -> str:
    """The text of the file at ``path`` ('-' = standard input), at most ``MAX_TEXT_CHARS`` characters (one more
    is read, so an oversized file is refused by the parser rather than cut silently)."""
    try:
        if path == "-":
            text = sys.stdin.read(MAX_TEXT_CHARS + 1)
        else:
            if not pathlib.Path(path).is_file():
                raise InputError(field, f"no such file: {path}")
            with open(path, encoding="utf-8") as handle:
                text = handle.read(MAX_TEXT_CHARS + 1)
    except OSError as error:
        raise InputError(field, f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(field, f"{path} is not UTF-8 text") from None
    return text


def model_architecture(args, *, name: str | None = None) -> tuple[str, Architecture]:
    """(label, architecture) of the model the command names: ``--config FILE`` or a catalog id."""
    name = name if name is not None else getattr(args, "model", None)
    config = read_json_file(args.config, "config") if args.config else None
    if config is None and not name:
        raise InputError("model", "give a model name or --config config.json")
    return models.resolve(name, config)


def int_list(field: str, text: str) -> list[str]:
    """'1,8,64' -> ['1', '8', '64'] (each checked later by the calculator)."""
    items = [part.strip() for part in str(text).split(",") if part.strip()]
    if not items:
        raise InputError(field, "give one or more comma-separated whole numbers")
    if len(items) > 64:
        raise InputError(field, "at most 64 values")
    return items
