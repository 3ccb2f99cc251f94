"""``estimate``: run one scenario record (gpu-truth JSONL format) and print the result as JSON."""

import json

from calculators import scenarios
from calculators.cli.args import read_text_file
from calculators.core.json_input import parse_json_object

NAME = "estimate"
HELP = "Estimate one scenario given as a JSON record (kinds: " + ", ".join(scenarios.HANDLERS) + ")."


def add_arguments(parser) -> None:
    parser.add_argument("--json", dest="path", required=True, metavar="CASE.json",
                        help="file with one JSON object (the first line of a JSONL file), or - for stdin")


def read_record(path: str) -> dict:
    """The scenario object in ``path`` ('-' = stdin): the text's one object, or the first line of JSONL."""
    text = read_text_file(path, "json").strip()
    if "\n" in text and text.startswith("{") and not _is_single_object(text):
        text = text.splitlines()[0]
    return parse_json_object(text, "json")


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
