"""Text that came from a file, made safe to print: control characters shown, never obeyed.

A session or config from someone else may carry terminal escape codes (clear the screen, fake a
prompt) in a status message or a field name; everything printed from a file goes through here.
"""

from __future__ import annotations

import unicodedata

MAX_SHOWN = 500  # characters of foreign text shown in one message; the rest is summarised


def printable(text, limit: int = MAX_SHOWN) -> str:
    """`text` with control and format characters escaped (\\x1b, \\u202e) and cut to `limit`."""
    text = str(text)
    cut = len(text) > limit
    out = []
    for ch in text[:limit]:
        if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    if cut:
        out.append(f"... ({len(text) - limit} more characters)")
    return "".join(out)


def one_line(text, limit: int = MAX_SHOWN) -> str:
    """printable() with newlines escaped too: for one-line error messages."""
    return printable(text, limit).replace("\n", "\\n")
