"""Fixtures of the command-line tests: a config.json written where the commands can read it."""

import json

import pytest


@pytest.fixture
def config_file(tmp_path):
    def write(config):
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        return str(path)
    return write
