"""Reliability and security under load, faults and hostile input; see docs/RELIABILITY.md."""
