"""Hourly GPU prices (``data/gpu_prices.json``) with user overrides."""

import dataclasses
import functools

from calculators import data
from calculators.catalogs import gpus
from calculators.core import validate


@dataclasses.dataclass(frozen=True)
class Price:
    """One GPU's hourly price: who offers it, which offer, on which date, and the page it comes from.
    A price the reader typed has provider ``user`` and no offer or date."""
    gpu_id: str
    usd_per_hour: float
    provider: str
    offer: str | None
    as_of: str | None
    source: str

    @property
    def from_user(self) -> bool:
        return self.provider == "user"


@functools.cache
def defaults() -> dict[str, Price]:
    """The cited default price per GPU id."""
    return {r["gpu"]: Price(gpu_id=r["gpu"], usd_per_hour=float(r["usd_per_hour"]), provider=r["provider"],
                            offer=r["offer"], as_of=r["as_of"], source=r["source"])
            for r in data.load("gpu_prices.json")["prices"]}


def merged(overrides: dict | None = None) -> dict[str, Price]:
    """Defaults with ``overrides`` ({gpu id or name: usd per hour}) applied on top."""
    out = dict(defaults())
    for name, value in (overrides or {}).items():
        gpu = gpus.get(name, field="prices")
        usd = validate.number(f"prices.{gpu.id}", value, minimum=0, maximum=1e6)
        out[gpu.id] = Price(gpu_id=gpu.id, usd_per_hour=usd, provider="user", offer=None, as_of=None, source="user")
    return out
