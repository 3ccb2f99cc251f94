"""``estimate``: run one scenario record (gpu-truth JSONL format) and print the result as JSON."""

import json
import sys

from calculators import scenarios
from calculators.core.json_input import MAX_TEXT_CHARS, parse_config
from calculators.core.errors import InputError

NAME = "estimate"
HELP = "Estimate one scenario given as a JSON record (kinds: " + ", ".join(scenarios.HANDLERS) + ")."


def add_arguments(parser) -> None:
    parser.add_argument("--json", dest="path", required=True, metavar="CASE.json",
                        help="file with one JSON object (the first line of a JSONL file), or - for stdin")


def read_record(path: str) -> dict:
    """The scenario object in ``path`` ('-' = stdin), size-limited and parsed safely."""
    try:
        if path == "-":
            text = sys.stdin.read(MAX_TEXT_CHARS + 1)
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read(MAX_TEXT_CHARS + 1)
    except OSError as error:
        raise InputError("json", f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InputError("json", f"{path} is not UTF-8 text") from None
    stripped = text.strip()
    if "\n" in stripped and stripped.startswith("{") and not _is_single_object(stripped):
        stripped = stripped.splitlines()[0]
    try:
        return parse_config(stripped)
    except InputError as error:
        raise InputError("json", error.message) from None


def _is_single_object(text: str) -> bool:
    try:
        json.loads(text)
        return True
    except (ValueError, RecursionError):
        return False


def run(args) -> int:
    result = scenarios.run(read_record(args.path))
    print(json.dumps(result, indent=2))
    return 0
