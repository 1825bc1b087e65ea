"""FPA403: under Pydantic v2, `from pydantic import BaseSettings` fails at import; the fixed import works."""

from __future__ import annotations

import textwrap

import pydantic
import pytest

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.source import SourceFile

BAD = textwrap.dedent(
    """
    from pydantic import BaseModel, BaseSettings


    class AppSettings(BaseSettings):
        database_url: str = "sqlite://"
    """
)


def test_old_import_fails_under_pydantic_v2() -> None:
    assert pydantic.VERSION.startswith("2.")
    with pytest.raises(ImportError, match="pydantic-settings"):
        exec(compile(BAD, "settings.py", "exec"), {})


def test_fixed_import_runs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = str(tmp_path / "settings.py")
    settings = Settings(select=("FPA403",), root=str(tmp_path))
    findings = check_source(BAD, path, settings)
    assert [f.code for f in findings] == ["FPA403"]
    fixed, _ = apply_fixes(SourceFile.parse(path, BAD), findings)
    namespace: dict[str, object] = {}
    exec(compile(fixed, path, "exec"), namespace)
    assert namespace["AppSettings"]().database_url == "sqlite://"  # type: ignore[operator]
