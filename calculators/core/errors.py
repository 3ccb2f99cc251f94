"""One error family for every calculator.

``InputError`` names the input field at fault so that a widget can show the
message next to that field and the command line can print one clear line.
"""


class CalculatorError(Exception):
    """Base class of every error the calculators raise on purpose."""


class InputError(CalculatorError, ValueError):
    """A user-supplied value is missing, malformed or out of range."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")

    def renamed(self, names) -> "InputError":
        """The same error under the name the reader used for the field: engines name their arguments
        (``weight_format``), a surface maps them to its own (``--quant``, a record's ``quant`` key)."""
        head, dot, rest = self.field.partition(".")
        if head not in names:
            return self
        return InputError(names[head] + dot + rest, self.message)
