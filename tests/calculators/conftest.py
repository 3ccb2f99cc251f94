"""Fixtures shared by the calculator tests: catalog architectures built once per test module."""

import pytest

from calculators.catalogs import models


@pytest.fixture(scope="module")
def llama8b():
    return models.resolve("llama-3.1-8b")[1]


@pytest.fixture(scope="module")
def llama70b():
    return models.resolve("llama-3.1-70b")[1]
