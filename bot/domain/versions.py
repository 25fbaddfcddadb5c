"""When two sightings of a user's photo are the same photo version: by picture, not by etag.

Graph gives a photo a new etag whenever it is uploaded again, even with the same picture (an admin's script, a
re-upload). The ledger keeps a perceptual signature of the picture (a 64-bit DCT hash, as hex); a new etag whose
picture hashes within a few bits of the last one is the same version, so its first-seen time stands. Another
photo, even of the same person, differs in far more bits (docs/PICTURES.md).
"""

from __future__ import annotations

SAME_VERSION_MAX_BITS = 4  # re-encodes of one upload differ by 0-2 bits; other photos by 8 or more


def same_version(signature: str | None, other: str | None) -> bool:
    """True when both signatures are known and close enough to be one picture."""
    if not signature or not other:
        return False
    try:
        return (int(signature, 16) ^ int(other, 16)).bit_count() <= SAME_VERSION_MAX_BITS
    except ValueError:
        return False
