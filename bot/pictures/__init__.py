"""Perceptual comparison of a user's Microsoft 365 photo with the picture SharePoint serves for them."""

from bot.pictures.compare import (
    Picture,
    PictureComparison,
    PictureVerdict,
    compare,
    decode,
    looks_like_placeholder,
    phash,
    thumbnail_data_uri,
)

__all__ = [
    "Picture",
    "PictureComparison",
    "PictureVerdict",
    "compare",
    "decode",
    "looks_like_placeholder",
    "phash",
    "thumbnail_data_uri",
]
