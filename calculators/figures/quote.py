"""Figures quoted from the catalogs, formatted for prose: ``figure("gpu", "h100-sxm", "memory_gb")``.

Pages never retype a number about a GPU or a model: they name the catalog entry
and field, and this module turns it into text, so the site cannot contradict
its own calculators.
"""

from calculators import data
from calculators.catalogs import gpus, models
from calculators.core.errors import InputError
from calculators.core.units import format_bytes, format_count, format_number

_CATALOGS = {"gpu": ("gpus.json", "gpus"), "model": ("models.json", "models")}
#: Unit suffixes of field names, and how to print them.
_SUFFIX_UNITS = (
    ("_tb_per_s", "TB/s"), ("_gb_per_s", "GB/s"), ("_gb", "GB"), ("_mib", "MiB"), ("_w", "W"),
)


def figure(kind: str, entry_id: str, path: str) -> str:
    """Text for one catalog field; ``path`` may reach into nested records with dots."""
    record = _record(kind, entry_id)
    if kind == "model" and path in ("params", "active_params"):  # computed from the config, not stored
        _, arch = models.resolve(entry_id)
        return format_count(arch.n_params if path == "params" else arch.active_params)
    try:
        value = data.dig(record, path)
    except KeyError:
        raise InputError("field", f"{kind} {entry_id!r} has no field {path!r}") from None
    if value is None:
        raise InputError("field", f"{kind} {entry_id!r} has no value for {path!r} (not published)")
    return _format(path, value)


def _record(kind: str, entry_id: str) -> dict:
    if kind not in _CATALOGS:
        raise InputError("catalog", f"unknown catalog {kind!r}; known: {', '.join(_CATALOGS)}")
    record = gpus.record_with_derived(entry_id) if kind == "gpu" else data.find(*_CATALOGS[kind], entry_id)
    if record is None:
        raise InputError("id", f"no {kind} with id {entry_id!r} in the catalog")
    return record


def _format(path: str, value) -> str:
    if isinstance(value, bool) or isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    last = path.split(".")[-1]
    if path.startswith("dense_tflops."):
        return f"{format_number(value)} TFLOP/s"
    if last.endswith("_bytes"):
        return format_bytes(value)
    for suffix, unit in _SUFFIX_UNITS:
        if last.endswith(suffix):
            return f"{format_number(value)} {unit}"
    if last.endswith("year"):
        return str(value)
    return format_number(value)
