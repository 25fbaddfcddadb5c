"""A tiny baseline JPEG writer (one flat colour, any size) and a JPEG dimension reader.

Enough for the demo tenant to serve real, decodable photos without an imaging library: every 8x8 block
of a flat image has only a DC coefficient, so each block costs a few bits. The colour and a comment
segment are derived from a seed (user id + etag), so every user and every photo version has its own bytes.
"""

from __future__ import annotations

import hashlib
import struct

# Huffman tables (ISO/IEC 10918-1 Annex K.3 code lengths for the luminance DC table: categories 0..11).
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_VALS = tuple(range(12))
# AC table with a single symbol: EOB (0x00) as the 1-bit code "0". Flat blocks have no AC coefficients.
_AC_BITS = (1,) + (0,) * 15
_AC_VALS = (0,)


def _canonical_codes(bits: tuple[int, ...], vals: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    """symbol -> (code, length), assigned canonically as JPEG decoders rebuild them."""
    codes: dict[int, tuple[int, int]] = {}
    code, k = 0, 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


_DC_CODES = _canonical_codes(_DC_BITS, _DC_VALS)
_AC_CODES = _canonical_codes(_AC_BITS, _AC_VALS)


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def write(self, value: int, length: int) -> None:
        self.acc = (self.acc << length) | (value & ((1 << length) - 1))
        self.n += length
        while self.n >= 8:
            self.n -= 8
            byte = (self.acc >> self.n) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0x00)  # byte stuffing
        self.acc &= (1 << self.n) - 1

    def flush(self) -> bytes:
        if self.n:
            self.write((1 << (8 - self.n)) - 1, 8 - self.n)  # pad with 1-bits
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", 0xFF00 | marker, len(payload) + 2) + payload


def _dc_of(sample: float) -> int:
    # Forward DCT of a flat 8x8 block: F(0,0) = 8 * (sample - 128); quantiser 1.
    return max(-1023, min(1023, round(8 * (sample - 128))))


def seeded_colour(seed: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(seed.encode()).digest()
    return 40 + digest[0] % 176, 40 + digest[1] % 176, 40 + digest[2] % 176


def flat_jpeg(width: int, height: int, rgb: tuple[int, int, int], comment: str = "") -> bytes:
    """A valid baseline YCbCr JPEG of `width` x `height` pixels, all one colour."""
    if not (1 <= width <= 65535 and 1 <= height <= 65535):
        raise ValueError(f"bad JPEG size {width}x{height}")
    r, g, b = rgb
    ycc = (
        0.299 * r + 0.587 * g + 0.114 * b,
        128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
        128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
    )
    parts = [b"\xff\xd8", _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")]
    if comment:
        parts.append(_segment(0xFE, comment.encode("utf-8")[:60000]))
    parts.append(_segment(0xDB, b"\x00" + b"\x01" * 64))  # one quantisation table, all ones
    parts.append(
        _segment(
            0xC0,
            struct.pack(">BHHB", 8, height, width, 3)
            + b"".join(struct.pack(">BBB", cid, 0x11, 0) for cid in (1, 2, 3)),
        )
    )
    parts.append(
        _segment(
            0xC4, b"\x00" + bytes(_DC_BITS) + bytes(_DC_VALS) + b"\x10" + bytes(_AC_BITS) + bytes(_AC_VALS)
        )
    )
    parts.append(_segment(0xDA, b"\x03" + b"\x01\x00\x02\x00\x03\x00" + b"\x00\x3f\x00"))
    bits = _BitWriter()
    eob_code, eob_len = _AC_CODES[0]
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    first = [_dc_of(v) for v in ycc]
    for i in range(blocks):
        for c in range(3):
            diff = first[c] if i == 0 else 0  # DC is coded as the difference to the previous block
            size = abs(diff).bit_length()
            code, length = _DC_CODES[size]
            bits.write(code, length)
            if size:
                bits.write(diff if diff > 0 else diff + (1 << size) - 1, size)
            bits.write(eob_code, eob_len)
    parts.append(bits.flush())
    parts.append(b"\xff\xd9")
    return b"".join(parts)


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's SOF segment, or None if `data` is not a readable JPEG."""
    if not data.startswith(b"\xff\xd8"):
        return None
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if pos + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return (width, height) if width and height else None
        if marker == 0xDA:  # start of scan before any SOF
            return None
        pos += 2 + length
    return None
