"""Decoding text files as Excel writes them: UTF-8 (with or without BOM) or GB18030/GBK.

Strict UTF-8 is tried first, because GB18030 decodes almost any byte string: a UTF-8
file read as GBK turns into plausible-looking mojibake. GB18030 comes second, and its
result is checked for the marks of mojibake before it is accepted.
"""

from __future__ import annotations

import codecs
from collections import Counter

import charset_normalizer


class DecodeError(ValueError):
    """A file's bytes could not be decoded; the message says what to do."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# In real Chinese text nearly every character lies in GB2312's 6,763 common hanzi and
# symbols; bytes of another encoding (an accented Latin letter followed by ASCII, say)
# decoded as GB18030 land mostly outside it.
_MAX_RARE_SHARE = 0.25
# How messages name the codecs that detection returns.
_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "gb18030": "GB18030"}


def decode_text(data: bytes, *, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file's bytes.

    Parameters
    ----------
    data
        The raw bytes.
    encoding
        Force this encoding (any Python codec name) instead of detecting it.

    Returns
    -------
    tuple of str
        ``(text, encoding used)``.

    Raises
    ------
    DecodeError
        If the bytes are not valid in the forced encoding (the message names UTF-8 or
        GB18030 when either would succeed), or neither UTF-8 nor plausible GB18030; the
        message suggests an encoding to pass.

    Examples
    --------
    >>> decode_text("社区".encode("gb18030"))
    ('社区', 'gb18030')
    >>> try:
    ...     decode_text("社区".encode("gb18030"), encoding="utf-8")
    ... except DecodeError as error:
    ...     print(str(error).split(" / ")[1])
    this looks like GB18030: drop --encoding or pass --encoding gb18030
    """
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise DecodeError(f"未知的编码 / unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as error:
            byte = data[error.start]
            message = (
                f"不是有效的 {encoding} 编码 / "
                f"not valid {encoding}: byte {byte:#04x} cannot be decoded"
            )
            raise DecodeError(
                _other_encoding(data) or message, _line_of(data, error.start)
            ) from None
    return _detected(data)


def _other_encoding(data: bytes) -> str | None:
    """When a forced encoding fails: the advice to use the one detection finds, if any."""
    try:
        _, found = _detected(data)
    except DecodeError:
        return None
    name = _NAMES.get(found, found)
    return (
        f"看起来是 {name} 编码：去掉 --encoding，或改用 --encoding {found} / this looks like "
        f"{name}: drop --encoding or pass --encoding {found}"
    )


def _detected(data: bytes) -> tuple[str, str]:
    """Decode by the byte-order mark, else as UTF-8, else as plausible GB18030."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as error:
                raise DecodeError(
                    f"以 {codec} 字节序标记开头，但不是有效的 {codec} / "
                    f"starts with a {codec} byte-order mark but is not valid {codec}",
                    _line_of(data, error.start),
                ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        first_bad = utf8_error.start
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise DecodeError(
            _advice("neither UTF-8 nor GB18030", data), _line_of(data, first_bad)
        ) from None
    if _looks_like_mojibake(text):
        raise DecodeError(
            _advice("not UTF-8, and read as GB18030 it gives garbled text", data),
            _line_of(data, first_bad),
        )
    return text, "gb18030"


def _looks_like_mojibake(text: str) -> bool:
    counts = Counter(text)  # distinct characters are few: check each once
    non_ascii = rare = 0
    for char, count in counts.items():
        if ord(char) <= 0x7F:
            continue
        if "\ue000" <= char <= "\uf8ff":  # private use: GB18030 decoding of foreign bytes
            return True
        non_ascii += count
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            rare += count
    return rare > _MAX_RARE_SHARE * non_ascii


def _advice(what: str, data: bytes) -> str:
    guess = charset_normalizer.from_bytes(data).best()
    hint = f"; it may be {guess.encoding}" if guess is not None else ""
    return (
        "无法读取文件：请另存为 UTF-8 编码（Excel：“CSV UTF-8”）或指定编码 / "
        f"cannot read the file: {what}{hint}. Save it as UTF-8 (Excel: 'CSV UTF-8') "
        "or pass encoding=... (--encoding on the command line)"
    )


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
