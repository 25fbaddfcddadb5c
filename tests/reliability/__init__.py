"""Reliability and security under load, faults and hostile input (issue #8); see docs/RELIABILITY.md."""
