"""Time-ordered todo ids (ULIDs): 48-bit millisecond time + 80 random bits,
in Crockford base32, so ids sort by creation time as plain strings."""

from __future__ import annotations

import os
import re
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_PATTERN = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")


def new_ulid(now_ms: int | None = None) -> str:
    if now_ms is None:
        now_ms = time.time_ns() // 1_000_000
    value = (now_ms << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        value, index = divmod(value, 32)
        chars.append(_ALPHABET[index])
    return "".join(reversed(chars))


def is_ulid(value: str) -> bool:
    return ULID_PATTERN.fullmatch(value) is not None  # `$` would let a trailing "\n" pass
