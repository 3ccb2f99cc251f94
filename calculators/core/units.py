"""Byte units, defined once. Conversion happens only when displaying."""

KB = 10**3
MB = 10**6
GB = 10**9
TB = 10**12
KIB = 2**10
MIB = 2**20
GIB = 2**30
TIB = 2**40


def bytes_to_gib(n_bytes: float) -> float:
    return n_bytes / GIB


def bytes_to_gb(n_bytes: float) -> float:
    return n_bytes / GB


def format_bytes(n_bytes: float, *, binary: bool = True, digits: int = 2) -> str:
    """Human-readable size, e.g. ``14.96 GiB`` (binary) or ``16.06 GB`` (decimal)."""
    units = ("B", "KiB", "MiB", "GiB", "TiB") if binary else ("B", "kB", "MB", "GB", "TB")
    step = 1024 if binary else 1000
    value = float(n_bytes)
    for unit in units:
        if abs(value) < step or unit == units[-1]:
            if unit == "B":
                return f"{value:.0f} B"
            return f"{value:.{digits}f} {unit}"
        value /= step
    raise AssertionError("unreachable")
