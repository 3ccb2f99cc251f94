"""Byte units, defined once. Conversion happens only when displaying."""

KB = 10**3
MB = 10**6
GB = 10**9
TB = 10**12
KIB = 2**10
MIB = 2**20
GIB = 2**30
TIB = 2**40


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


# === How numbers are printed (every surface uses these, so a figure reads the same everywhere) ===

def format_number(value: float) -> str:
    """Whole numbers with thousands separators from 100 up, three significant figures below."""
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def format_count(count: int) -> str:
    """A parameter or token count in words: ``8.03 billion``, ``671 billion``, ``124,416``."""
    for size, word in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
        if count >= size:
            return f"{count / size:.3g} {word}"
    return f"{count:,}"


def format_duration(seconds: float) -> str:
    """A short time, three significant figures in µs, ms, s or min."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    if seconds < 120:
        return f"{seconds:.3g} s"
    return f"{seconds / 60:.3g} min"


def format_long_duration(seconds: float) -> str:
    """A long run in words: ``3.2 days``, ``1,200 years``."""
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{format_number(seconds / size)} {unit}"
    return f"{format_number(seconds)} seconds"


def format_rate(tokens_per_s: float) -> str:
    """Tokens per second: whole from 100 up, three significant figures below."""
    if tokens_per_s >= 100:
        return f"{tokens_per_s:,.0f} tokens/s"
    return f"{tokens_per_s:.3g} tokens/s"


def format_flop(value: float) -> str:
    """An amount of arithmetic: ``15.5 GFLOP``, ``2.2 PFLOP``."""
    for size, prefix in ((1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:.3g} {prefix}FLOP"
    return f"{value:.3g} FLOP"


def format_tflops(flops_per_s: float) -> str:
    """A throughput in TFLOP/s."""
    return f"{flops_per_s / 1e12:,.3g} TFLOP/s" if flops_per_s < 1e15 else f"{flops_per_s / 1e12:,.0f} TFLOP/s"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_scientific(value: float) -> str:
    """``1.23 × 10²³``."""
    mantissa, exponent = f"{value:.3e}".split("e")
    return f"{float(mantissa):.3g} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"
