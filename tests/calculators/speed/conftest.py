"""Fixtures of the speed tests: Llama-3.1-8B built from its published config.json."""

import pytest

from calculators.architectures import build
from tests.calculators.support import LLAMA_8B


@pytest.fixture(scope="module")
def llama():
    return build(LLAMA_8B)
