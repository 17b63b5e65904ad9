"""Text files from other programs, decoded the one careful way: a byte-order mark decides UTF-8,
UTF-16 or UTF-32 (Excel's "CSV UTF-8" and Notepad's "Unicode" write one); without one the file
must be UTF-8. Anything else is refused with the offending byte named, never guessed at, so no
character is ever silently changed."""

from __future__ import annotations

import codecs
from pathlib import Path

from .config import ConfigError

MAX_TEXT_BYTES = 64 << 20  # a config or point file this large is not one a person made

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_text(path: str | Path, what: str) -> str:
    """The text of `path` (ConfigError with a clear message if missing, huge or not decodable)."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{what} {path}: is a folder, not a file")
    if not path.is_file():
        raise ConfigError(f"{what} {path}: no such file")
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise ConfigError(
            f"{what} {path}: {path.stat().st_size >> 20} MB is more than the "
            f"{MAX_TEXT_BYTES >> 20} MB a text file may have here"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{what} {path}: cannot be read ({exc.strerror or exc})") from None
    return decode(data, f"{what} {path}")


def decode(data: bytes, what: str) -> str:
    for bom, codec in _BOMS:  # UTF-32 LE before UTF-16 LE: its mark starts the same way
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ConfigError(
                    f"{what}: damaged {codec.upper().replace('-SIG', '')} text at byte {exc.start}"
                ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = (
            "it looks like UTF-16 without a byte-order mark"
            if b"\0" in data[:64]
            else "perhaps Latin-1 or Windows-1252"
        )
        raise ConfigError(
            f"{what}: not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}; "
            f"{hint}); save it as UTF-8 and try again"
        ) from None
    if "\0" in text:
        hint = "; it looks like UTF-16 without a byte-order mark: save it as UTF-8" if "\0" in text[:64] else ""
        raise ConfigError(f"{what}: contains NUL characters, not plain text{hint}")
    return text
