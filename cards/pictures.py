"""The two pictures side by side: the Microsoft 365 photo and what SharePoint shows, with what comparing them
showed. Inline `data:` thumbnails (a few KB each), so no image hosting is needed; every image has alt text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from microsoft_teams.cards import CardElement, Column, ColumnSet, Image

from bot.domain.model import Diagnosis, DiagnosisCase, PictureEvidence, PictureVerdict

from .common import Subject, format_time, text_block
from .context import CardContext, Lang
from .strings import t

_SHOWN = (PictureVerdict.SAME, PictureVerdict.DIFFERENT, PictureVerdict.PLACEHOLDER, PictureVerdict.NONE)


class PictureShape(NamedTuple):
    """Which parts of the picture row a card has: decided by the diagnosis, never by a reader's texts."""

    m365: bool  # the Microsoft 365 photo's thumbnail
    sharepoint: bool  # SharePoint's picture's thumbnail
    evidence: bool  # the line saying what the comparison showed (or that it could not be made)


NO_PICTURES = PictureShape(False, False, False)


def picture_shape(diagnosis: Diagnosis) -> PictureShape:
    if diagnosis.case is DiagnosisCase.UNAVAILABLE:
        return NO_PICTURES
    pictures = diagnosis.pictures
    if pictures is None:  # SharePoint's picture could not be read: say so, the timestamps decide
        return PictureShape(False, False, diagnosis.has_photo)
    return PictureShape(
        pictures.m365_thumbnail is not None,
        pictures.sharepoint_thumbnail is not None,
        pictures.verdict in _SHOWN,
    )


def evidence_shape(pictures: PictureEvidence | None) -> PictureShape:
    """The picture row for evidence gathered outside a diagnosis (a drift notice): only what was seen."""
    if pictures is None:
        return NO_PICTURES
    return PictureShape(
        pictures.m365_thumbnail is not None,
        pictures.sharepoint_thumbnail is not None,
        pictures.verdict in _SHOWN,
    )


def evidence_texts(
    pictures: PictureEvidence | None, ctx: CardContext, subject: Subject, name: str, shape: PictureShape
) -> dict[str, str]:
    """The slot texts for `evidence_shape`: the thumbnails, their labels and what the comparison showed."""
    texts: dict[str, str] = {}
    lang = ctx.lang
    if pictures is None:
        return texts
    if shape.m365 and pictures.m365_thumbnail:
        texts |= _side("m365", pictures.m365_thumbnail, lang, subject, name)
    if shape.sharepoint and pictures.sharepoint_thumbnail:
        texts |= _side("sp", pictures.sharepoint_thumbnail, lang, subject, name)
    if shape.evidence:
        checked = format_time(ctx.now, ctx)
        texts["evidence"] = t(f"evidence.{pictures.verdict.value}.{subject}", lang, name=name, time=checked)
    return texts


def _side(slot: str, uri: str, lang: Lang, subject: Subject, name: str) -> dict[str, str]:
    key = "m365" if slot == "m365" else "sharepoint"
    return {
        f"{slot}_img": uri,
        f"{slot}_alt": t(f"pictures.alt.{key}.{subject}", lang, name=name),
        f"{slot}_label": t(f"pictures.label.{key}", lang),
    }


def picture_texts(
    diagnosis: Diagnosis, ctx: CardContext, subject: Subject, name: str, shape: PictureShape
) -> dict[str, str]:
    """The slot texts of the picture row for this reader."""
    lang = ctx.lang
    texts: dict[str, str] = {}
    pictures = diagnosis.pictures
    if shape.m365 and pictures is not None and pictures.m365_thumbnail:
        texts |= _side("m365", pictures.m365_thumbnail, lang, subject, name)
    if shape.sharepoint and pictures is not None and pictures.sharepoint_thumbnail:
        texts |= _side("sp", pictures.sharepoint_thumbnail, lang, subject, name)
    if shape.evidence:
        key = "unreadable" if pictures is None else pictures.verdict.value
        checked = format_time(diagnosis.checked_at or ctx.now, ctx)
        texts["evidence"] = t(f"evidence.{key}.{subject}", lang, name=name, time=checked)
    return texts


def picture_elements(shape: PictureShape, texts: Mapping[str, str], *, plain: bool) -> list[CardElement]:
    """The row of thumbnails (one column per picture there is) and the evidence line, from slot texts."""
    columns = []
    if shape.m365:
        columns.append(_column("pic-m365", texts["m365_img"], texts["m365_alt"], texts["m365_label"]))
    if shape.sharepoint:
        columns.append(_column("pic-sharepoint", texts["sp_img"], texts["sp_alt"], texts["sp_label"]))
    out: list[CardElement] = []
    if columns:
        out.append(ColumnSet(id="pictures", columns=columns, spacing="Medium"))
    if shape.evidence:
        out.append(text_block(texts["evidence"], block_id="evidence", subtle=True, small=True, plain=plain))
    return out


def picture_slots(shape: PictureShape) -> list[str]:
    slots = ["m365_img", "m365_alt", "m365_label"] * shape.m365
    slots += ["sp_img", "sp_alt", "sp_label"] * shape.sharepoint
    return slots + ["evidence"] * shape.evidence


def _column(block_id: str, url: str, alt: str, label: str) -> Column:
    return Column(
        id=block_id,
        width="auto",
        items=[
            Image(url=url, alt_text=alt, width="72px", height="72px"),
            text_block(label, small=True, subtle=True, spacing="Small"),
        ],
    )


__all__ = [
    "NO_PICTURES",
    "PictureShape",
    "picture_elements",
    "picture_shape",
    "picture_slots",
    "picture_texts",
]
