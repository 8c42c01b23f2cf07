"""Benchmarks: `python -m benchmarks` prints a table of speed, memory and quality per technique."""
