"""Checking one config value, from a file or the command line, against its field's type and range.

Every message names the field, shows the value (cut short, never raised on) and says what is allowed.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .errors import ConfigError

MAX_POINTS = 200_000  # a drawn / imported target larger than this is refused, not silently cut
MAX_COORD = 1e6  # |x|, |y| of points and centres: beyond it float32 sampling loses the jitter and the
# metrics' bandwidth underflows (points at 1e20 divided by zero); rescale the data
MAX_WEIGHT = 1e12  # mixture weights are relative; 1e308 overflowed their sum to infinity


def describe_field(fdef) -> str:
    m = fdef.metadata
    if m.get("choices"):
        return "one of " + ", ".join(m["choices"])
    if m.get("lo") is not None:
        return f"{m['lo']:g} .. {m['hi']:g}"
    return "a list"


def coerce(path: str, fdef, value: Any) -> Any:
    """Parse and range-check one value; the error names field, value and allowed range."""
    kind = fdef.type if isinstance(fdef.type, str) else fdef.type.__name__
    m = fdef.metadata
    if kind == "list":
        return _coerce_list(path, fdef.name, value)
    if kind == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{path}={_show(value)}: must be text, {describe_field(fdef)}")
        value = value.strip().lower()
        if m.get("choices") and value not in m["choices"]:
            raise ConfigError(f"{path}={_show(value)}: must be {describe_field(fdef)}")
        return value
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ConfigError(f"{path}={_show(value)}: must be a number in {describe_field(fdef)}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{path}={_show(value)}: must be a number in {describe_field(fdef)}")
    if isinstance(value, int) and abs(value) > 2**63:  # float() of a 400-digit integer overflows
        raise ConfigError(f"{path}={_show(value)}: out of range, allowed {describe_field(fdef)}")
    if not math.isfinite(value):
        raise ConfigError(f"{path}={_show(value)}: must be a finite number in {describe_field(fdef)}")
    if kind == "int":
        if float(value) != int(value):
            raise ConfigError(f"{path}={_show(value)}: must be a whole number in {describe_field(fdef)}")
        value = int(value)
    else:
        value = float(value)
    if not (m["lo"] <= value <= m["hi"]):
        raise ConfigError(f"{path}={_show(value)}: out of range, allowed {describe_field(fdef)}")
    return value


def _coerce_list(path: str, name: str, value: Any) -> list:
    if isinstance(value, str):
        value = parse_json(value, path, "must be a JSON list")
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{path}: must be a list, got {type(value).__name__}")
    if name in ("centres", "points"):
        if len(value) > MAX_POINTS:
            raise ConfigError(f"{path}: {len(value)} rows is more than the {MAX_POINTS} allowed")
        out: list = []
        for i, row in enumerate(value):
            if not isinstance(row, (list, tuple)) or len(row) != 2 or not all(_finite_number(v) for v in row):
                raise ConfigError(f"{path}[{i}]={_show(row)}: each row must be two finite numbers (x, y)")
            if max(abs(row[0]), abs(row[1])) > MAX_COORD:
                raise ConfigError(
                    f"{path}[{i}]={_show(row)}: coordinates must lie within +-{MAX_COORD:g}; rescale the data"
                )
            out.append([float(row[0]), float(row[1])])
        return out
    out = []
    for i, v in enumerate(value):
        if not _finite_number(v) or v < 0 or (name == "sigmas" and v <= 0):
            rule = "> 0" if name == "sigmas" else ">= 0"
            raise ConfigError(f"{path}[{i}]={_show(v)}: must be a finite number {rule}")
        if name == "weights" and v > MAX_WEIGHT:
            raise ConfigError(f"{path}[{i}]={_show(v)}: weights are relative; at most {MAX_WEIGHT:g}")
        if name == "sigmas" and not 1e-4 <= v <= 100:
            raise ConfigError(f"{path}[{i}]={_show(v)}: must be in 0.0001 .. 100, like target.sigma")
        out.append(float(v))
    return out


def _finite_number(v: Any) -> bool:
    if isinstance(v, int) and not isinstance(v, bool):
        return abs(v) < 1e300  # math.isfinite() of a 400-digit integer raises OverflowError
    return isinstance(v, float) and math.isfinite(v)


def parse_json(text: str, what: str, expect: str = "is not valid JSON") -> Any:
    """json.loads that refuses, as one ConfigError, what JSON allows but a config never needs:
    duplicate keys (silently last-wins), nesting deep enough to exhaust the stack, 4,300-digit
    integers."""

    def no_duplicates(pairs):
        out = dict(pairs)
        if len(out) != len(pairs):
            seen: set = set()
            dup = next(k for k, _ in pairs if k in seen or seen.add(k))
            raise ConfigError(f"{what}: the key {_show(dup)} appears twice; keep one")
        return out

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except ConfigError:
        raise
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{what} {expect}: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{what} {expect}: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer longer than Python's 4,300-digit limit
        raise ConfigError(f"{what} {expect}: {_show(str(exc))}") from None


def _show(value: Any, limit: int = 80) -> str:
    """A short repr for messages: a huge or deeply nested value is cut, never raised on."""
    try:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
            return f"<an integer of about {int(value.bit_length() * 0.30103) + 1} digits>"
        text = repr(value)
    except (RecursionError, ValueError):
        return f"<a deeply nested {type(value).__name__}>"
    return text if len(text) <= limit else text[:limit] + "..."
