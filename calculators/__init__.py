"""GPU and LLM calculators: memory, bandwidth, speed and GPU choice.

Pure Python (standard library only) so the same code runs in CPython 3.11+
and in the browser under Pyodide. Nothing here knows about the website.
"""

from calculators.core.errors import CalculatorError, InputError

__version__ = "0.1.0"

__all__ = ["CalculatorError", "InputError", "__version__"]
