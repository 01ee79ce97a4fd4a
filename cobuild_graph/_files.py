"""Writing files safely: whole or not at all, with an ordinary file's permissions, and
workbooks whose cells hold the data exactly as text, never as a formula."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import logging
import os
import re
import shutil
import socket
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from cobuild_graph.errors import ExcelLimitError, OutputError

logger = logging.getLogger(__name__)

#: Characters that XML 1.0, and so an ``.xlsx``, ``.gexf`` or ``.graphml`` file, cannot
#: hold: the C0 controls other than tab, line feed and carriage return, U+FFFE, U+FFFF and
#: lone surrogates.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


#: What the name of every staging file and folder starts with: ``.staging-``, this
#: machine's tag, the writing process's id, then random characters.
STAGING = ".staging-"
#: Seconds after which a staging file whose process cannot be checked (another machine's,
#: or an older version's name) counts as left behind: a day, far longer than any write.
STALE_AFTER = 24 * 60 * 60
# a network folder may be written from several machines: a process id means something
# only on the machine that wrote it
_HOST = hashlib.sha256(socket.gethostname().encode("utf-8")).hexdigest()[:8]

_REASONS = {  # where there is no EDQUOT (Windows), ENOSPC's own reason below wins
    getattr(errno, "EDQUOT", errno.ENOSPC): "超出磁盘配额 the disk quota is used up",
    errno.ENOSPC: "磁盘已满 the disk is full",
    errno.EACCES: "没有写入权限 no permission to write",
    errno.EPERM: "没有写入权限 no permission to write",
    errno.EROFS: "只读文件系统 a read-only file system",
    errno.ENOTDIR: "路径中有文件而非文件夹 a file stands where a folder is needed",
    errno.EISDIR: "这是文件夹，不是文件 it is a folder, not a file",
    errno.EEXIST: "已有同名文件 a file of that name is in the way",
}


def output_error(path: str | os.PathLike[str], error: OSError) -> OutputError:
    """`error` met writing `path`, as an :class:`OutputError` whose message names `path`.

    Examples
    --------
    >>> import errno
    >>> print(output_error("out/map.html", OSError(errno.ENOSPC, "No space left on device")))
    out/map.html: 无法写入 cannot write: 磁盘已满 the disk is full
    """
    reason = _REASONS.get(error.errno or 0) or error.strerror or str(error)
    return _error(error.errno, f"{os.fspath(path)}: 无法写入 cannot write: {reason}")


def _error(code: int | None, message: str) -> OutputError:
    error = OutputError(message)  # one argument: the message alone, without "[Errno n]"
    error.errno = code
    return error


def check_output(path: str | os.PathLike[str], *, folder: bool) -> Path:
    """Make sure `path` can be written, before any work: a folder (`folder`) or a file.

    Nothing is made: the check writes and removes an empty staging file in the nearest
    folder that exists (`path` itself for an existing folder), so that a read-only or
    unwritable place is found now, not after the analysis.

    Raises
    ------
    OutputError
        Naming `path`: an existing file where a folder is needed, or the reverse; a file
        on the way; no permission; a read-only file system.
    """
    path = Path(path)
    if folder and path.exists() and not path.is_dir():
        raise _error(
            errno.ENOTDIR,
            f"{path}: 已存在同名文件，这里需要文件夹 is an existing file; a folder is needed here",
        )
    if not folder and path.is_dir():
        raise _error(
            errno.EISDIR,
            f"{path}: 已存在同名文件夹，这里需要文件 is an existing folder; a file is needed here",
        )
    existing = path if folder and path.is_dir() else path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise output_error(path, OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR)))
    try:
        handle, probe = tempfile.mkstemp(prefix=_staging_prefix(), dir=existing)
        os.close(handle)
        os.remove(probe)
    except OSError as error:
        raise output_error(path, error) from error
    return path


def atomic_write(path: str | os.PathLike[str], write: Callable[[str], object]) -> None:
    """Write `path` through `write(temporary_path)`, then move it into place.

    The file appears only when complete, and with the mode an ordinary new file gets
    (``0666`` less the umask), not the private ``0600`` of a temporary file. The staging
    file is beside `path` and removed if writing fails; those of runs that were killed are
    removed by the next write into the folder (:func:`clean_staging`).

    Raises
    ------
    OutputError
        If the file cannot be written (no permission, a full disk ...), naming `path`.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_staging(path.parent)
        handle, temporary = tempfile.mkstemp(
            prefix=_staging_prefix(), suffix=path.suffix, dir=path.parent
        )
        os.close(handle)
    except OSError as error:
        raise output_error(path, error) from error
    try:
        write(temporary)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except OutputError:
        raise
    except OSError as error:
        raise output_error(path, error) from error
    finally:
        with contextlib.suppress(OSError):
            os.remove(temporary)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` to `path` whole (:func:`atomic_write`), as UTF-8 with its line ends
    as they are."""
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8", newline=""))


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` whole (:func:`atomic_write`)."""
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(data))


@contextlib.contextmanager
def staged_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A staging folder beside `path` for the block to write files into; when the block
    ends without error they move into `path` (made if missing), each file whole.

    Raises
    ------
    OutputError
        If a file cannot be written, naming `path`; the staging folder is removed.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_staging(path.parent)
        staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(), dir=path.parent))
    except OSError as error:
        raise output_error(path, error) from error
    try:
        yield staging
        path.mkdir(parents=True, exist_ok=True)
        for file in sorted(staging.iterdir()):
            os.replace(file, path / file.name)
    except OutputError:
        raise
    except OSError as error:
        raise output_error(path, error) from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def clean_staging(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the staging files and folders in `folder` that runs left behind.

    One is left behind when the process that wrote it (named in it) has ended on this
    machine, or, where that cannot be told (another machine's, an older version's), when
    it is older than :data:`STALE_AFTER`. A process id the system has given to a new
    process keeps its file until then too: a write in progress is never removed.

    Returns
    -------
    list of pathlib.Path
        What was removed.
    """
    removed = []
    for entry in Path(folder).glob(f"{STAGING}*"):
        if not _left_behind(entry):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed.append(entry)
            logger.info("removed %s, left behind by a run that ended", entry)
    return removed


def _left_behind(entry: Path) -> bool:
    host, _, rest = entry.name[len(STAGING) :].partition("-")
    pid, _, _ = rest.partition("-")
    if host == _HOST and pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
        return True
    try:
        return time.time() - entry.lstat().st_mtime > STALE_AFTER
    except OSError:
        return False


def _running(pid: int) -> bool:
    if os.name != "posix":  # Windows' os.kill would end the process: count it running
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: another user's process
        return True
    return True


def _staging_prefix() -> str:
    return f"{STAGING}{_HOST}-{os.getpid()}-"


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it: put it straight back
    os.umask(mask)
    return mask


def save_workbook(book: Workbook, path: str | os.PathLike[str]) -> None:
    """Save `book` to `path` whole (:func:`atomic_write`), the same workbook as the same
    bytes: no time of saving in the file (openpyxl stamps the properties and every
    member of the zip with it)."""
    buffer = io.BytesIO()
    book.save(buffer)
    atomic_write(path, lambda tmp: _without_times(buffer, tmp))


def _without_times(source: io.BytesIO, target: str) -> None:
    with (
        zipfile.ZipFile(source) as book,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for member in book.infolist():
            data = book.read(member)
            if member.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(b"", data)
            info = zipfile.ZipInfo(member.filename, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = member.external_attr
            out.writestr(info, data)


_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip file can hold
_CORE_TIMES = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")


# -- Excel ----------------------------------------------------------------------------------

#: Rows of one Excel sheet, the header included.
EXCEL_MAX_ROWS = 1_048_576
#: Characters one Excel cell holds.
EXCEL_MAX_CELL_CHARS = 32_767

# OOXML writes a character XML cannot carry (and a carriage return, which XML would turn
# into a line feed) as _xHHHH_; a literal "_xHHHH_" in the text is written as _x005F_xHHHH_.
_OOXML_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


def excel_text(text: str) -> str:
    """`text` as an ``.xlsx`` file stores it, so that Excel shows exactly `text`.

    Examples
    --------
    >>> excel_text("a\\rb _x0041_")
    'a_x000D_b _x005F_x0041_'
    """
    return _OOXML_ESCAPED.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


def check_excel_rows(counts: Mapping[str, int]) -> None:
    """Refuse tables of more data rows than an Excel sheet holds below its header.

    Raises
    ------
    ExcelLimitError
        Naming the tables; the message says to write CSV files instead.
    """
    too_long = [f"{name} ({count:,})" for name, count in counts.items() if count >= EXCEL_MAX_ROWS]
    if too_long:
        raise ExcelLimitError(
            f"Excel 工作表最多 {EXCEL_MAX_ROWS - 1:,} 行数据，请改写 CSV 文件夹 / more rows than "
            f"an Excel sheet holds (at most {EXCEL_MAX_ROWS - 1:,} below the header): "
            f"{', '.join(too_long)}; write a folder of CSV files instead"
        )


def append_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any], *, row: int) -> None:
    """Append `values` as spreadsheet row `row` of `sheet`; text is always text.

    A string is stored as a text cell whatever it starts with (``=``, ``+``, ``-``, ``@``):
    data never becomes a formula. Other values (numbers, dates, booleans, ``None``) are
    stored as they are.

    Raises
    ------
    ExcelLimitError
        If a string is longer than an Excel cell holds (it would be cut), naming the cell.
    """
    cells: list[Any] = []
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            if len(value) > EXCEL_MAX_CELL_CHARS:
                where = f"{sheet.title}!{get_column_letter(column)}{row}"
                raise ExcelLimitError(
                    f"{where}: 文本 {len(value):,} 字符，超过 Excel 单元格上限 "
                    f"{EXCEL_MAX_CELL_CHARS:,}，请缩短 / {len(value):,} characters do not "
                    f"fit in an Excel cell (at most {EXCEL_MAX_CELL_CHARS:,}): shorten the "
                    "text, or write CSV files"
                )
            cell = Cell(sheet, row=row, column=column)
            cell.value = excel_text(value)
            cell.data_type = "s"  # set after the value: openpyxl reads "=..." as a formula
            value = cell
        cells.append(value)
    sheet.append(cells)


# -- CSV ------------------------------------------------------------------------------------


def write_csv(table: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False) -> None:
    """Write `table` as CSV the way Excel reads it: UTF-8 with a byte-order mark, CRLF.

    CRLF line ends make every cell holding a line break or a lone carriage return quoted,
    so each cell reads back exactly. Cells are written verbatim: a CSV file holds no
    formulas, though a spreadsheet may evaluate ``=...`` text when it opens one (the FAQ
    says how to open a CSV file safely).
    """
    table.to_csv(path, index=index, encoding="utf-8-sig", lineterminator="\r\n")
