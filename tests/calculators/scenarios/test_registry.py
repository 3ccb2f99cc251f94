"""The scenario registry: one handler per record kind."""

from calculators import scenarios


def test_registry_takes_new_kinds_with_one_entry(monkeypatch):
    monkeypatch.setitem(scenarios.HANDLERS, "echo", lambda record: {"seen": record["x"]})
    assert scenarios.run({"kind": "echo", "x": 3}) == {"seen": 3}
