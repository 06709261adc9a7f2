"""Decompression bombs built at test time: one member of 256 MiB of zeros (about 1 MB compressed) among
real records, streamed into the archive so building one needs a megabyte of memory, not hundreds."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

# The bomb was 1 GiB (1 MB compressed); a quarter of that proves the same, four times faster.
BOMB_BYTES = 256 * 1024**2
BOMB_NAME = "bomb/OSV-BOMB.json"
_BLOCK = bytes(1024 * 1024)


class _Zeros:
    """A file of `size` zero bytes that is never in memory at once."""

    def __init__(self, size: int) -> None:
        self.left = size

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        self.left -= size
        return bytes(size)


def zip_bomb(path: Path, records: dict[str, bytes]) -> Path:
    """Records, then the bomb, then the records again under `again/` (so "the rest" comes after it)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in records.items():
            archive.writestr(name, data)
        with archive.open(BOMB_NAME, "w", force_zip64=True) as out:
            for _ in range(BOMB_BYTES // len(_BLOCK)):
                out.write(_BLOCK)
        for name, data in records.items():
            archive.writestr(f"again/{name}", data)
    return path


def tar_bomb(path: Path, records: dict[str, bytes]) -> Path:
    """The same as :func:`zip_bomb`, as a gzipped tarball (osv.dev's per-ecosystem dumps)."""
    with tarfile.open(path, "w:gz", compresslevel=1) as archive:
        _add_records(archive, records, "")
        info = tarfile.TarInfo(BOMB_NAME)
        info.size = BOMB_BYTES
        archive.addfile(info, _Zeros(BOMB_BYTES))  # type: ignore[arg-type]
        _add_records(archive, records, "again/")
    return path


def _add_records(archive: tarfile.TarFile, records: dict[str, bytes], prefix: str) -> None:
    for name, data in records.items():
        info = tarfile.TarInfo(prefix + name)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
