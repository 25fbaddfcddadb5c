"""The README's demo table tells the truth: each demo user's diagnosis, run against the demo tenant through the
bot's own services, is the case the table promises and compares SharePoint's picture as the table says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.demo.tenant import DemoTenant
from bot.domain.model import DiagnosisCase, PictureVerdict

from .conftest import TeamsWorld

README = Path(__file__).resolve().parents[2] / "README.md"
HEADER = "| demo user | what SharePoint shows | case the card shows |"
# What the "what SharePoint shows" column says, as the picture comparison's verdict (None: not compared).
SHOWN = {
    "current photo": PictureVerdict.SAME,
    "older photo": PictureVerdict.DIFFERENT,
    "placeholder": PictureVerdict.PLACEHOLDER,
    "sharepoint failing": None,
}


def readme_demo_table() -> list[tuple[str, PictureVerdict | None, DiagnosisCase]]:
    """(user, picture verdict, case) for each row of the README's demo table."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(HEADER) + 2  # past the header and its --- row
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        user, shows, case = (cell.strip() for cell in line.strip("|").split("|"))
        (verdict,) = [v for words, v in SHOWN.items() if words in shows.lower()] or [f"unknown: {shows}"]
        named = re.match(r"`([a-z_]+)`", case)
        assert named, f"README demo table, {user}: the case cell must start with the case in backticks"
        rows.append((user, verdict, DiagnosisCase(named.group(1))))  # type: ignore[arg-type]
    return rows


ROWS = readme_demo_table()


def test_the_table_covers_every_demo_user() -> None:
    assert sorted(user for user, _, _ in ROWS) == sorted(u.display_name for u in DemoTenant.load().users)


@pytest.mark.parametrize(("user", "verdict", "case"), ROWS, ids=[row[0] for row in ROWS])
async def test_each_demo_user_shows_the_case_the_readme_promises(
    world: TeamsWorld, user: str, verdict: PictureVerdict | None, case: DiagnosisCase
) -> None:
    user_id = next(u.id for u in DemoTenant.load().users if u.display_name == user)
    diagnosis = await world.runtime.photos.diagnose(user_id)
    assert diagnosis.case is case
    shown = diagnosis.pictures.verdict if diagnosis.pictures is not None else None
    assert shown is verdict
