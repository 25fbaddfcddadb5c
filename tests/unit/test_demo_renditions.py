"""The demo's picture bytes: who a user is, what each service's rendition looks like, and the cache."""

from __future__ import annotations

import time

from bot.demo.portraits import portrait
from bot.demo.renditions import Face, Renditions, initials_of, portrait_seed
from bot.demo.tenant import DemoTenant
from bot.pictures import PictureVerdict, compare, decode


def test_portrait_seed_is_stable_and_tells_demo_users_apart() -> None:
    users = DemoTenant.load().users
    seeds = {portrait_seed(u.id) for u in users}
    assert len(seeds) == len(users)
    assert portrait_seed("ABC-def") == portrait_seed("abc-def") == portrait_seed("abc-def")
    faces = [decode(portrait(s, 1, 96)) for s in sorted(seeds)]
    for i, a in enumerate(faces):
        for b in faces[i + 1 :]:
            assert compare(a, b).verdict is PictureVerdict.DIFFERENT  # ten different people


def test_initials() -> None:
    assert initials_of("Adele Vance") == "AV"
    assert initials_of("Jan van der Berg") == "JB"
    assert initials_of("Cher") == "C"
    assert initials_of("  ") == "?"


def test_graph_sizes_and_sharepoint_thumbnails_of_one_face() -> None:
    r = Renditions()
    face = Face(seed=7, variant=1, width=648, height=648)
    assert r.graph_photo(face) == portrait(7, 1, 648)  # the full size is the portrait itself
    older = Face(seed=7, variant=0, width=648, height=648)
    m365 = decode(r.graph_photo(face, 96))
    assert compare(m365, decode(r.sharepoint_photo(face, "M"))).verdict is PictureVerdict.SAME
    assert compare(m365, decode(r.sharepoint_photo(older, "M"))).verdict is PictureVerdict.DIFFERENT
    for letter in "SML":
        assert compare(m365, decode(r.silhouette(letter))).verdict is PictureVerdict.PLACEHOLDER
        tile = decode(r.initials("Adele Vance", 7, letter))
        assert compare(m365, tile).verdict is PictureVerdict.PLACEHOLDER


def test_uploads_are_served_as_is_and_resized() -> None:
    r = Renditions()
    upload = portrait(99, 3, 300)
    face = Face(seed=1, variant=2, width=300, height=300, upload=upload)
    assert r.graph_photo(face) is upload
    assert compare(decode(upload), decode(r.graph_photo(face, 48))).verdict is PictureVerdict.SAME
    junk = Face(seed=1, variant=2, width=96, height=96, upload=b"\xff\xd8junk")
    stand_in = decode(r.graph_photo(junk, 96))
    assert stand_in is not None and (stand_in.width, stand_in.height) == (96, 96)


def test_cache_costs_nothing_on_repeat_and_stays_bounded() -> None:
    r = Renditions()
    faces = [Face(seed=s, variant=1, width=648, height=648) for s in range(6)]
    start = time.perf_counter()
    first = [r.graph_photo(f, 96) for f in faces]
    cold = time.perf_counter() - start
    start = time.perf_counter()
    assert [r.graph_photo(f, 96) for f in faces] == first
    warm = time.perf_counter() - start
    assert r.generated == len(faces) and warm * 20 < cold
    small = Renditions(max_bytes=3 * len(first[0]))
    for f in faces:
        small.graph_photo(f, 96)
    small.graph_photo(faces[-1], 96)  # the newest stays cached
    assert small.generated == len(faces)
    small.graph_photo(faces[0], 96)  # the oldest was dropped: drawn again
    assert small.generated == len(faces) + 1
