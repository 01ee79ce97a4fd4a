"""Writing files safely: whole or not at all, with the permissions of any new file."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

#: Characters that XML 1.0, and so an ``.xlsx``, ``.gexf`` or ``.graphml`` file, cannot
#: hold: the C0 controls other than tab, line feed and carriage return, U+FFFE, U+FFFF and
#: lone surrogates.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def atomic_write(path: Path, write: Callable[[str], object]) -> None:
    """Write `path` through `write(temporary_path)`, then move it into place.

    The file appears only when complete, and with the mode an ordinary new file gets
    (``0666`` less the umask), not the private ``0600`` of a temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".staging-", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it: put it straight back
    os.umask(mask)
    return mask
