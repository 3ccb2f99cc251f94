"""Command line: one sub-command per module in this package.

Every ``CalculatorError`` becomes one line on stderr and exit status 2; no
traceback reaches the user.
"""

import argparse
import os
import sys

from calculators import __version__
from calculators.cli import estimate, gpus, speed, vram, weights
from calculators.core.errors import CalculatorError, InputError

#: Sub-command modules; each defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.
COMMANDS = (weights, speed, gpus, estimate, vram)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, like every other input error
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m calculators", description="GPU and LLM memory and speed calculators "
                     "(installed as the gpu-glossary command).")
    parser.add_argument("--version", action="version", version=f"gpu-glossary {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in COMMANDS:
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(run=module.run, field_flags=getattr(module, "FIELD_FLAGS", {}))
    return parser


def printable(text: str) -> str:
    """``text`` with control characters (terminal escape sequences a reader's input may carry) shown as escapes."""
    return "".join(char if char.isprintable() or char == " " else repr(char)[1:-1] for char in text)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except InputError as error:
        print(f"error: {printable(str(error.renamed(args.field_flags)))}", file=sys.stderr)
        return 2
    except CalculatorError as error:
        print(f"error: {printable(str(error))}", file=sys.stderr)
        return 2
    except RecursionError:
        print("error: input is nested too deeply", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader's pipe closed early (``| head``): stop quietly, as command-line tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
