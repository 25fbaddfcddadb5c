"""A drift scan's second look: for the users the metadata names as drifted, compare the pictures.

Timestamps and the ledger make a user a candidate; the picture SharePoint shows decides. Only candidates are
fetched (a photo `$batch` with the small size, and SharePoint's picture, at the same time), within the same
limit of photo requests in flight as the scan itself. SharePoint showing the current photo after all clears the
candidate (recorded as ok); otherwise the row keeps its verdict and carries both pictures for the notice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from bot.clock import Clock
from bot.domain.drift import DriftState
from bot.domain.model import GraphPhoto, PictureVerdict
from bot.graph import GraphClient, GraphError, SharePointClient
from bot.store import Store

from .evidence import GRAPH_THUMBNAIL, m365_picture, picture_evidence
from .scan_report import ScanReport, ScanRow

log = logging.getLogger(__name__)

PICTURES_MATCH = "pictures match"


async def confirm_with_pictures(
    report: ScanReport,
    graph: GraphClient,
    sharepoint: SharePointClient,
    store: Store,
    clock: Clock,
    gate: asyncio.Semaphore,
) -> int:
    """Compare the pictures of every drifted row in `report` (in place); returns how many were cleared."""
    candidates = [(i, row) for i, row in enumerate(report.rows) if row.state is DriftState.DRIFT and row.upn]
    outcomes = await asyncio.gather(*(_look(row, graph, sharepoint, gate) for _, row in candidates))
    cleared = 0
    for (i, row), looked in zip(candidates, outcomes, strict=True):
        if looked is None:
            continue  # the pictures could not be had: the metadata's verdict stands
        report.rows[i] = looked
        if looked.state is DriftState.OK:
            cleared += 1
            report.tally[DriftState.DRIFT] -= 1
            report.tally[DriftState.OK] += 1
            await store.record_drift(row.user_id, DriftState.OK.value, row.sharepoint_refreshed, clock())
    if candidates:
        log.info(
            "drift candidates compared as pictures", extra={"candidates": len(candidates), "cleared": cleared}
        )
    return cleared


async def _look(
    row: ScanRow, graph: GraphClient, sharepoint: SharePointClient, gate: asyncio.Semaphore
) -> ScanRow | None:
    assert row.upn is not None
    try:  # the photo's metadata is known from the scan: only its small size is fetched (one photo request)
        thumbnail, shown = await asyncio.gather(
            graph.photo_thumbnail(row.user_id, GRAPH_THUMBNAIL, slot=gate), sharepoint.shown_picture(row.upn)
        )
    except GraphError as exc:
        log.warning(
            "drift scan: pictures not readable", extra={"user": row.user_id, "reason": type(exc).__name__}
        )
        return None
    photo = GraphPhoto(etag=row.etag or "", thumbnail=thumbnail)
    evidence = picture_evidence(row.user_id, photo, m365_picture(photo), shown)
    if evidence is None or evidence.verdict is PictureVerdict.UNKNOWN:
        return None
    if evidence.verdict is PictureVerdict.SAME:
        return replace(row, state=DriftState.OK, detail=PICTURES_MATCH, pictures=evidence)
    return replace(row, pictures=evidence)
