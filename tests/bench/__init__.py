"""Smoke test of the benchmark (bench/, scripts/bench)."""
