"""FPA405: every name the rule reports is one the installed Pydantic warns about or refuses, the method is lost
on instances, and names outside its lists are accepted silently."""

from __future__ import annotations

import warnings
from pathlib import Path

import pydantic
import pytest
from pydantic import BaseModel

from flake8_fastapi.rules.models.fpa405_field_shadows_base_model_attribute import (
    BASE_MODEL_ATTRIBUTES,
    PROTECTED_NAMESPACES,
)

from ._rule_examples import doc_block, run_block

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rules" / "FPA405"


def _define(name: str) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        type("M", (BaseModel,), {"__annotations__": {name: int}, "__module__": __name__})
    return [str(w.message) for w in caught]


def test_attribute_list_matches_the_installed_pydantic() -> None:
    public = {n for n in dir(BaseModel) if not n.startswith("_") and n != "model_config"}
    assert public == BASE_MODEL_ATTRIBUTES
    from pydantic._internal._config import config_defaults

    assert config_defaults["protected_namespaces"] == PROTECTED_NAMESPACES


@pytest.mark.parametrize("name", sorted(BASE_MODEL_ATTRIBUTES))
def test_each_attribute_warns_or_raises(name: str) -> None:
    if name.startswith(PROTECTED_NAMESPACES):
        with pytest.raises(ValueError, match="conflicts with member"):
            _define(name)
    else:
        assert any("shadows an attribute in parent" in m for m in _define(name))


def test_protected_prefix_warns_and_other_model_names_do_not() -> None:
    assert tuple(int(p) for p in pydantic.VERSION.split(".")[:2]) >= (2, 10)
    assert any("protected namespace 'model_dump'" in m for m in _define("model_dump_format"))
    assert any("protected namespace 'model_validate'" in m for m in _define("model_validate_payload"))
    assert _define("model_name") == []
    assert _define("schema_") == []


def test_docs_example_warns_and_loses_the_method() -> None:
    with pytest.warns(UserWarning, match='Field name "schema" in "Column" shadows an attribute'):
        namespace = run_block(doc_block("FPA405", "## Example"))
    column = namespace["Column"](name="id", schema="public")
    assert column.schema == "public"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        good = run_block(doc_block("FPA405", "## Use instead"))
    assert good["Column"](name="id", schema="public").schema_ == "public"


def test_bad_fixture_raises_at_class_definition() -> None:
    source = (FIXTURES / "bad_fields.py").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="'model_dump' conflicts with member"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_block(source)
