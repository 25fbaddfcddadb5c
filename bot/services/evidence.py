"""Turning the two pictures' bytes into evidence: decode, compare, and the thumbnails a card shows."""

from __future__ import annotations

import logging

from bot import pictures
from bot.domain.model import GraphPhoto, PictureEvidence
from bot.pictures import Picture

log = logging.getLogger(__name__)

GRAPH_THUMBNAIL = "96x96"  # the Microsoft 365 photo size compared (and shown) beside SharePoint's M (72 px)


def m365_picture(photo: GraphPhoto | None) -> Picture | None:
    """The Microsoft 365 photo's small size, decoded (None: no photo, or its bytes were not had)."""
    return pictures.decode(photo.thumbnail) if photo is not None else None


def signature(picture: Picture | None) -> str | None:
    """The picture's perceptual signature for the ledger (see bot.domain.versions)."""
    return f"{pictures.phash(picture):016x}" if picture is not None else None


def picture_evidence(
    user_id: str, photo: GraphPhoto | None, m365: Picture | None, shown: bytes | None
) -> PictureEvidence | None:
    """What SharePoint shows compared with the Microsoft 365 photo; None when the Microsoft 365 photo exists
    but its bytes could not be read (nothing to compare: the metadata decides)."""
    if photo is not None and m365 is None:
        return None
    sharepoint = pictures.decode(shown)
    result = pictures.compare(m365, sharepoint)
    log.info("pictures compared", extra={"user": user_id, **result.log_fields()})
    return PictureEvidence(
        verdict=result.verdict,
        m365_thumbnail=pictures.thumbnail_data_uri(m365) if m365 is not None else None,
        sharepoint_thumbnail=pictures.thumbnail_data_uri(sharepoint) if sharepoint is not None else None,
    )
