"""Benchmarks of tap-amazon-sp against the SP-API simulator (not part of the test suite).

Run with `python -m bench` from the repository root; see the README's Performance section.
"""
