"""API keys (issue 10): made, named and hashed here, without the database.

A key is `ramtid_` and 43 random URL-safe characters (256 bits from `secrets`): the fixed start
makes a key recognisable to secret scanners and in a leaked file. Only its SHA-256 is stored; a
random 256-bit key cannot be guessed, so it needs no slow password hash, and the hash is looked
up by a unique index. `prefix`, the key's first characters, names it in lists and logs and is
no help to anyone guessing the rest.
"""

from __future__ import annotations

import hashlib
import secrets

KEY_START = "ramtid_"
# KEY_START and 8 random characters: 48 bits, unique in the table (ApiToken.prefix).
PREFIX_LENGTH = len(KEY_START) + 8


def new_key() -> str:
    return KEY_START + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str:
    return key[:PREFIX_LENGTH]


def looks_like_a_key(key: str) -> bool:
    """Whether the text could be one of our keys at all (a cheap check before any lookup)."""
    return key.startswith(KEY_START) and 40 <= len(key) <= 100 and key.isascii()
