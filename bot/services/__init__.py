"""Use cases: plain values in, plain values out; no botbuilder here."""
