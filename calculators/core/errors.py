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
