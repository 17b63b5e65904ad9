"""A compare group's results as an aligned text table (the CLI's output and the Compare window's
table), in any language: callers pass how to say its words and names."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

TABLE_HEADER = ("run", "loss", "modes", "high quality", "JS (bits)", "detectors fired (step)", "it/s")


def format_table(results: list[dict], word: Callable[[str], str] = str, name: Callable[[str], str] = str) -> str:
    """The results as an aligned text table; `word` translates the header, 'none' and detector
    names, `name` shows a run's name (the app's language). Columns align by display width (a
    Chinese character takes two)."""
    rows = [tuple(word(h) for h in TABLE_HEADER)]
    for r in results:
        modes = "-" if r["modes"] is None else f"{r['modes']:.0f}/{r['n_modes']}"
        hq = "-" if r["hq_share"] is None else f"{100 * r['hq_share']:.1f}%"
        js = "-" if r["js"] is None else f"{r['js']:.3f}"
        fired = ", ".join(f"{word(k)} ({v})" for k, v in r["fired"].items()) or word("none")
        rows.append((name(r["label"]), r["loss"], modes, hq, js, fired, f"{r['its']:.0f}"))
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
