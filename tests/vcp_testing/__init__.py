"""Helpers shared by vcp's tests (on sys.path through pytest's ``pythonpath`` setting).

Fixtures live in the conftest.py files; the classes and functions they and the tests use live
here: ``cli`` (running vcp's command line in-process), ``events`` (recording the manager's events),
``fakes`` (a sleep that does not wait), ``hashes`` (the Hub's content ids), ``hub`` (sources and
cache paths), ``mirror`` (the mirror's request log), ``mocks`` and ``processes``.
"""
