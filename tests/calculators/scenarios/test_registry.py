"""The scenario registry: one handler per record kind."""

import pytest

from calculators import scenarios
from calculators.core.errors import InputError


def test_registry_takes_new_kinds_with_one_entry(monkeypatch):
    monkeypatch.setitem(scenarios.HANDLERS, "echo", lambda record: {"seen": record["x"]})
    assert scenarios.run({"kind": "echo", "x": 3}) == {"seen": 3}


@pytest.mark.parametrize("kind", ["Inference", "INFERENCE", " inference", "inference "])
def test_a_kind_in_any_case_or_with_spaces_is_dispatched(kind):
    """The kind is read case-insensitively, so it must also be dispatched that way (it once raised TypeError)."""
    record = {"model": "llama-3.2-1b", "batch": 1, "seq": 128}
    assert scenarios.run({**record, "kind": kind}) == scenarios.run({**record, "kind": "inference"})


def test_an_unknown_kind_names_the_field():
    with pytest.raises(InputError) as caught:
        scenarios.run({"kind": "dance"})
    assert caught.value.field == "kind"
