"""Helpers shared by vcp's tests (on sys.path through pytest's ``pythonpath`` setting)."""
