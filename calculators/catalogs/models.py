"""Popular open models (``data/models.json``), and the one resolver every surface uses to turn "a catalog id or
a config.json" into an :class:`~calculators.architectures.Architecture`."""

import dataclasses
import difflib
import functools

from calculators import data
from calculators.architectures import Architecture, build
from calculators.core import validate
from calculators.core.errors import InputError


@dataclasses.dataclass(frozen=True)
class CatalogModel:
    id: str
    name: str
    source: str
    config: dict
    published_params: int | None
    notes: str = ""
    raw_resolution: float = 1.0


@functools.cache
def all_models() -> dict[str, CatalogModel]:
    """Every catalog model by id, in file order."""
    records = data.load("models.json")["models"]
    return {r["id"]: CatalogModel(id=r["id"], name=r["name"], source=r["source"], config=r["config"],
                                  published_params=r.get("published_params"), notes=r.get("notes", ""),
                                  raw_resolution=float(r.get("published_resolution") or 1))
            for r in records}


def get(model_id, *, field: str = "model") -> CatalogModel:
    """A catalog model by id (case-insensitive), with a suggestion when it is unknown."""
    if not isinstance(model_id, str) or not model_id.strip():
        raise InputError(field, "expected a model id such as llama-3.1-8b")
    if len(model_id) > validate.MAX_NAME_CHARS:
        raise InputError(field, f"is {len(model_id):,} characters long; a model id has at most {validate.MAX_NAME_CHARS}")
    wanted = model_id.strip().lower()
    models = all_models()
    if wanted in models:
        return models[wanted]
    close = difflib.get_close_matches(wanted, list(models), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else "; pass a config.json instead"
    shown = model_id if len(model_id) <= 40 else model_id[:40] + "…"
    raise InputError(field, f"unknown model {shown!r}{hint}")


def resolve(model=None, config=None) -> tuple[str, Architecture]:
    """(label, Architecture) from a catalog id, a config.json (dict or text), or both (config wins).

    The CLI, the widgets, the prose figures and the scenario records all come through here; a catalog model's
    architecture is built once (widgets recompute often) and shared, which is safe because it is immutable."""
    if config is not None:
        label = model if isinstance(model, str) and model else "custom config"
        return label, build(config)
    if model is None:
        raise InputError("model", "give a catalog model id or a config.json")
    entry = get(model)
    return entry.id, _catalog_architecture(entry.id)


@functools.cache
def _catalog_architecture(model_id: str) -> Architecture:
    return build(all_models()[model_id].config)
