"""FPA402: under the installed Pydantic v2, v1 configuration keys are ignored (an `orm_mode` model no longer reads
attributes, `schema_extra` leaves the OpenAPI examples), v1 methods and validators warn, and the rule's fixes
give code that works without warnings."""

from __future__ import annotations

import textwrap
import warnings

import pydantic
import pytest
from pydantic import BaseModel, ValidationError

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.source import SourceFile


class Row:
    id = 1
    name = " Alice "


BAD = textwrap.dedent(
    """
    from pydantic import BaseModel, validator


    class UserOut(BaseModel):
        id: int
        name: str

        class Config:
            orm_mode = True
            schema_extra = {"example": {"id": 1, "name": "Alice"}}

        @validator("name")
        def strip(cls, value: str) -> str:
            return value.strip()


    def convert(row: object) -> dict:
        user = UserOut.from_orm(row)
        return user.dict()
    """
)


def load(source: str) -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(compile(source, "models.py", "exec"), namespace)
    return namespace


def test_v1_config_keys_are_ignored_by_v2() -> None:
    assert pydantic.VERSION.startswith("2.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        namespace = load(BAD)
    assert any("'orm_mode' has been renamed to 'from_attributes'" in str(w.message) for w in caught)
    model = namespace["UserOut"]
    assert isinstance(model, type) and issubclass(model, BaseModel)
    with pytest.raises(ValidationError):
        model.model_validate(Row())  # orm_mode did not turn on attribute reading
    assert "examples" not in model.model_json_schema() and "example" not in model.model_json_schema()
    with pytest.raises(pydantic.errors.PydanticUserError, match="from_attributes"), warnings.catch_warnings():
        warnings.simplefilter("ignore", pydantic.PydanticDeprecatedSince20)
        model.from_orm(Row())  # type: ignore[attr-defined]


def test_v1_methods_and_validators_warn() -> None:
    with pytest.warns(pydantic.PydanticDeprecatedSince20):

        class Item(BaseModel):
            name: str

            @pydantic.validator("name")
            def strip(cls, value: str) -> str:
                return value.strip()

    with pytest.warns(pydantic.PydanticDeprecatedSince20):
        assert Item(name=" a ").dict() == {"name": "a"}  # type: ignore[attr-defined]


def test_fixed_code_reads_attributes_without_warnings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = str(tmp_path / "models.py")
    settings = Settings(select=("FPA402",), root=str(tmp_path))
    text = BAD
    for _ in range(5):
        findings = check_source(text, path, settings)
        new, fixed = apply_fixes(SourceFile.parse(path, text), findings, unsafe=True)
        if not fixed:
            break
        text = new
    assert not check_source(text, path, settings)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        namespace = load(text)
        convert = namespace["convert"]
        assert callable(convert)
        assert convert(Row()) == {"id": 1, "name": "Alice"}
    model = namespace["UserOut"]
    assert isinstance(model, type) and issubclass(model, BaseModel)
    assert model.model_json_schema()["example"] == {"id": 1, "name": "Alice"}
