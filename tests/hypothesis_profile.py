"""Hypothesis runs without per-example deadlines: speed is measured in bench/, never asserted in tests (a
deadline is a timed assertion, and it fails at random on a busy 2-core CI machine).

Loaded by the root conftest (every pytest run) and by `tests.reliability.hostile` (also used by
`bench.reliability` outside pytest). Not in `tests/__init__.py`: the benchmarks' bot processes import test
fakes, and hypothesis there would add to the memory footprint they measure."""

from hypothesis import settings

settings.register_profile("photosync", deadline=None)
settings.load_profile("photosync")
