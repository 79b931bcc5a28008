"""Bounds on what reading one agency file may cost, and the zip checks that enforce them.

An xlsx file is a zip archive: a 1 MB file can inflate to a gigabyte, and its sizes are
declarations the writer chose. calamine (the Rust reader behind fastexcel) trusts neither the
declared size nor the bounds of the cells: it inflates a member to its real end, and allocates
its grid from the largest cell reference it meets (a cell at XFD1048576 asks for 512 GiB and
aborts the process). So before calamine sees a file, the archive is checked here in Python:
its members' declared sizes against `max_inflated_mb`, and a member whose compressed size could
hide more is inflated with a counter, which stops at the declared size and refuses what goes on.

The bounds are settings (`[import]` in shujian.toml) because a procuratorate with bigger files
may raise them; each refusal names the setting.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shujian.errors import UserError

DEFLATE_MAX_RATIO = 1032
"""Deflate cannot inflate one byte to more than about 1032: a member whose compressed size
times this fits in the budget cannot exceed it whatever its header says."""

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ReadLimits:
    """How much reading one file may take (`[import]` in shujian.toml)."""

    max_inflated_mb: int = 1024
    """An xlsx file's members, inflated, together (MiB)."""
    max_cells: int = 50_000_000
    """The sheet's grid, from its first to its last cell reference (rows × columns)."""
    max_field_chars: int = 100_000
    """One cell's text."""

    @property
    def max_inflated_bytes(self) -> int:
        return self.max_inflated_mb << 20


DEFAULT_LIMITS = ReadLimits()

LIMIT_SETTINGS = ("import.max_inflated_mb", "import.max_cells", "import.max_field_chars")


def read_limits(setting: Callable[[str], Any]) -> ReadLimits:
    """The limits from a workspace's settings (`Workspace.setting`), each refused unless
    positive."""
    values = []
    for key in LIMIT_SETTINGS:
        value = setting(key)
        if value <= 0:
            raise UserError(
                f"配置文件中 [import] {key.split('.')[1]} 应当是正整数，收到：{value}。",
                code="bad_config",
            )
        values.append(value)
    return ReadLimits(*values)


def _corrupt(name: str, why: str) -> UserError:
    return UserError(
        f"无法打开 Excel 文件 {name}：{why}。文件可能已损坏或不是 xlsx 格式，整份文件未导入。",
        code="corrupt_xlsx",
    )


def bomb(name: str, limits: ReadLimits) -> UserError:
    return UserError(
        f"Excel 文件 {name} 解压后超过 {limits.max_inflated_mb} MB（[import] max_inflated_mb），"
        "可能是“压缩炸弹”或损坏的文件，整份文件未导入。确属正常的大文件，请拆分后分批导入，"
        "或由管理员调高该上限。",
        code="xlsx_too_large",
    )


def open_archive(path: Path) -> zipfile.ZipFile:
    """The xlsx file as a zip archive; refused in Chinese when it is not one."""
    try:
        return zipfile.ZipFile(path)
    except Exception as exc:  # zipfile raises BadZipFile, NotImplementedError, ValueError, …
        raise _corrupt(path.name, "不是有效的 zip 压缩包") from exc


def check_archive(zf: zipfile.ZipFile, name: str, limits: ReadLimits) -> None:
    """Refuse an archive whose declarations alone rule it out: members must be unique,
    unencrypted, stored or deflated (Excel writes nothing else; bzip2 or lzma would break the
    ratio bound), and declare together at most `max_inflated_mb`."""
    infos = zf.infolist()
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise _corrupt(name, "压缩包中有重名的部件")
    declared = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _corrupt(name, "文件已加密")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _corrupt(name, f"部件 {info.filename} 使用了 Excel 不用的压缩方式")
        declared += info.file_size
    if declared > limits.max_inflated_bytes:
        raise bomb(name, limits)


def verify_members(zf: zipfile.ZipFile, name: str, limits: ReadLimits, *, skip: str) -> None:
    """Inflate with a counter (`inflate`) every member that could hide more than the budget,
    except `skip`, the worksheet the caller inflates itself while scanning it."""
    infos = zf.infolist()
    worst = sum(_worst_size(i) for i in infos)
    if worst <= limits.max_inflated_bytes:
        return  # even members lying about their size could not exceed the budget
    for info in infos:
        if info.filename != skip and _worst_size(info) > info.file_size:
            for _ in inflate(zf, info, name, limits):
                pass


def _worst_size(info: zipfile.ZipInfo) -> int:
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size
    return info.compress_size * DEFLATE_MAX_RATIO


def inflate(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: ReadLimits
) -> Iterator[bytes]:
    """The member's bytes, inflated piece by piece from its raw data, never past its declared
    size: a member that inflates to more (or less) than it declares is refused.

    Python's own `ZipFile.open` stops at the declared size and checks the CRC of what it read,
    which the writer also chose; calamine reads on to the real end. This counts what the data
    really holds, the way calamine will read it.
    """
    if info.file_size > limits.max_inflated_bytes:
        raise bomb(name, limits)
    fp = zf.fp
    if fp is None:
        raise _corrupt(name, "压缩包已关闭")
    try:
        fp.seek(info.header_offset)
        header = fp.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise _corrupt(name, f"部件 {info.filename} 的位置不对")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        fp.seek(info.header_offset + 30 + name_len + extra_len)
    except (OSError, ValueError) as exc:  # an offset before the start of the file
        raise _corrupt(name, f"部件 {info.filename} 的位置不对") from exc
    left = info.compress_size
    produced = 0
    decompressor = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    try:
        while left > 0:
            raw = fp.read(min(_CHUNK, left))
            if not raw:
                raise _corrupt(name, f"部件 {info.filename} 不完整")
            left -= len(raw)
            if decompressor is None:
                produced += len(raw)
                if produced > info.file_size:
                    raise _corrupt(name, f"部件 {info.filename} 的实际大小与声明不符")
                yield raw
                continue
            data = raw
            while data:
                # never more than the declared size, plus one byte to see a lie
                out = decompressor.decompress(data, min(4 * _CHUNK, info.file_size - produced + 1))
                produced += len(out)
                if produced > info.file_size:
                    raise _corrupt(name, f"部件 {info.filename} 的实际大小与声明不符")
                if out:
                    yield out
                data = decompressor.unconsumed_tail
                if decompressor.eof:
                    break
        if decompressor is not None and not decompressor.eof:
            raise _corrupt(name, f"部件 {info.filename} 不完整")
    except (zlib.error, OSError) as exc:
        raise _corrupt(name, f"部件 {info.filename} 无法解压") from exc
    if produced != info.file_size:
        raise _corrupt(name, f"部件 {info.filename} 的实际大小与声明不符")


_SST_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst\b[^>]*>")
_SST_COUNT = re.compile(rb"""\b(?:count|uniqueCount)\s*=\s*["']\s*([0-9]+)""")


def check_shared_strings(zf: zipfile.ZipFile, member: str, name: str, limits: ReadLimits) -> None:
    """Refuse a shared-string table announcing more strings than a sheet may have cells.

    calamine reserves room for `uniqueCount` strings before reading one: 2,000,000,000 asks
    for 48 GB and aborts the process. The table is read up to its opening tag only.
    """
    seen = b""
    for data in inflate(zf, zf.getinfo(member), name, limits):
        seen = seen[-4096:] + data
        tag = _SST_TAG.search(seen)
        if tag is None:
            continue
        for count in _SST_COUNT.findall(tag.group(0)):
            if int(count) > limits.max_cells:
                raise UserError(
                    f"Excel 文件 {name} 的共享字符串表声称有 {int(count)} 项，超过上限 "
                    f"{limits.max_cells}（[import] max_cells），文件可能已损坏，整份文件未导入。",
                    code="corrupt_xlsx",
                )
        return
