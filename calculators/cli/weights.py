"""``weights``: memory for a parameter count in one number format."""

from calculators.catalogs import formats
from calculators.memory.weights import weight_memory

NAME = "weights"
HELP = "Weight memory for a parameter count and a number format."
#: Engine argument -> the flag a reader typed, for error messages.
FIELD_FLAGS = {"params": "PARAMS", "weight_format": "--format"}


def add_arguments(parser) -> None:
    parser.add_argument("params", help="parameter count, e.g. 8.03e9")
    parser.add_argument("--format", default="bf16", help=f"one of: {', '.join(formats.all_formats())}")


def run(args) -> int:
    memory = weight_memory(args.params, args.format)
    print(f"{memory.params:,} parameters in {memory.format.label}: "
          f"{memory.gib:.2f} GiB ({memory.gb:.2f} GB)")
    return 0
