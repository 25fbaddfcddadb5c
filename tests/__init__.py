"""PhotoSync tests. Kept import-free: benchmark processes import the fakes (see tests/hypothesis_profile.py)."""
