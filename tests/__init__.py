"""PhotoSync tests. Hypothesis runs without per-example deadlines: speed is measured in bench/, never asserted
in tests (a deadline is a timed assertion, and it fails at random on a busy 2-core CI machine)."""

from hypothesis import settings

settings.register_profile("photosync", deadline=None)
settings.load_profile("photosync")
