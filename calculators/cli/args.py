"""Arguments shared by the speed commands: a catalog model name or a config.json file."""

import pathlib

from calculators.core.errors import InputError
from calculators.speed.workload import resolve

MAX_CONFIG_BYTES = 1_000_000


def add_model_arguments(parser, *, positional: bool = True) -> None:
    if positional:
        parser.add_argument("model", nargs="?", help="catalog model name, e.g. llama-3.1-8b")
    parser.add_argument("--config", help="path to a Hugging Face config.json (instead of a catalog name)")


def architecture(args, *, name: str | None = None):
    """The model's ``Architecture`` from ``--config`` or the catalog name."""
    name = name if name is not None else getattr(args, "model", None)
    if args.config:
        path = pathlib.Path(args.config)
        if not path.is_file():
            raise InputError("config", f"no such file: {args.config}")
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise InputError("config", "file is larger than 1 MB")
        return resolve(config=path.read_text(encoding="utf-8"))
    if not name:
        raise InputError("model", "give a model name or --config config.json")
    return resolve(name)


def int_list(field: str, text: str) -> list[str]:
    """'1,8,64' -> ['1', '8', '64'] (each checked later by the calculator)."""
    items = [part.strip() for part in str(text).split(",") if part.strip()]
    if not items:
        raise InputError(field, "give one or more comma-separated whole numbers")
    if len(items) > 64:
        raise InputError(field, "at most 64 values")
    return items
