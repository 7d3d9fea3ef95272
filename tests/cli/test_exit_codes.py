"""Exit codes live in the CLI: each error class maps to one code, and the library has none."""

from __future__ import annotations

import pytest

import vcp.errors as errors
from vcp.cli.exit_codes import exit_code


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.VcpError("x"), 1),
        (errors.DetectorError("x"), 1),
        (errors.ConfigError([]), 2),
        (errors.UsageError("x"), 2),
        (errors.ReportError("x"), 2),
        (errors.ModelError("x"), 3),
        (errors.ModelUnavailable("x"), 3),
        (errors.MediaError("x"), 4),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_each_error_class_has_its_exit_code(error: errors.VcpError, code: int) -> None:
    assert exit_code(error) == code


def test_every_model_error_exits_3() -> None:
    classes = [getattr(errors, name) for name in errors.__all__]
    model_errors = [c for c in classes if isinstance(c, type) and issubclass(c, errors.ModelError)]
    assert len(model_errors) >= 9
    for cls in model_errors:
        assert exit_code(cls.__new__(cls)) == 3, cls.__name__


def test_errors_carry_no_exit_code() -> None:
    assert not any(hasattr(getattr(errors, name), "exit_code") for name in errors.__all__)
