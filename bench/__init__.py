"""Benchmarks (loopback only): `python -m bench.turns`, `python -m bench.calls`. See docs/BENCHMARKS.md."""
