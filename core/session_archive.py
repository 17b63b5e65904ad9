"""Check a session archive's container before torch reads it: sizes, no compression, CRCs.

torch.save writes an uncompressed zip. Its reader does not check the CRC-32 of each entry, so a
file with flipped bits loads silently with changed weights; and a compressed entry could expand
far past the file's size (a zip bomb). Both are refused here, reading the file in small chunks.
"""

from __future__ import annotations

import io
import zipfile

MAX_ENTRIES = 100_000  # a session of the largest config has a few hundred
MAX_PICKLE_BYTES = 64 << 20  # the pickled structure (config JSON with 200k points is ~8 MB)


class ArchiveError(ValueError):
    """The container is damaged or not what ganscope writes; the message says how."""


def check_archive(source, size: int) -> None:
    """Raise ArchiveError unless `source` (a path or bytes) is a whole, undamaged session zip."""
    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else open(source, "rb")
    try:
        try:
            zf = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise ArchiveError(f"truncated or corrupt, or not a session at all ({exc})") from None
        with zf:
            _check_entries(zf.infolist(), size)
            try:
                bad = zf.testzip()  # reads every entry in chunks and compares its CRC-32
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
                raise ArchiveError(f"damaged ({exc})") from None
            if bad is not None:
                raise ArchiveError(
                    f"damaged: the checksum of its part '{bad}' does not match "
                    f"(bits changed on disk or in transfer); nothing was loaded"
                )
    finally:
        if not isinstance(source, (bytes, bytearray)):
            stream.close()


def _check_entries(infos, size: int) -> None:
    if len(infos) > MAX_ENTRIES:
        raise ArchiveError(f"refused: {len(infos)} parts, more than any session has")
    total = 0
    for info in infos:
        if info.compress_type != zipfile.ZIP_STORED or info.file_size != info.compress_size:
            raise ArchiveError(
                f"refused: part '{info.filename}' is compressed; ganscope never writes compressed sessions"
            )
        if info.filename.endswith("data.pkl") and info.file_size > MAX_PICKLE_BYTES:
            raise ArchiveError(f"refused: its structure is {info.file_size >> 20} MB, more than any session has")
        total += info.file_size
    if total > size:
        raise ArchiveError(f"damaged: its parts claim {total} bytes in a {size}-byte file")
