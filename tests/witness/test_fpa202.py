"""FPA202: `Depends(get_db())` hands FastAPI the generator object: the installed FastAPI refuses the route when
it is declared, so the application does not even import; passing the function works."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block


def test_the_documented_bad_example_fails_at_import() -> None:
    source = doc_block("FPA202", "## Example")
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA202",)))] == ["FPA202"]
    with pytest.raises(TypeError, match=r"generator object get_db .* is not a callable object"):
        run_block(source)


def test_a_called_plain_dependency_fails_too() -> None:
    source = (
        "from typing import Annotated\n"
        "from fastapi import Depends, FastAPI\n"
        "app = FastAPI()\n"
        "def get_settings() -> dict[str, str]:\n"
        "    return {'env': 'test'}\n"
        "@app.get('/')\n"
        "def read(settings: Annotated[dict[str, str], Depends(get_settings())]) -> dict[str, str]:\n"
        "    return settings\n"
    )
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA202",)))] == ["FPA202"]
    with pytest.raises(TypeError, match="is not a callable object"):
        run_block(source)


def test_the_fixed_example_serves_the_dependency() -> None:
    namespace = run_block(doc_block("FPA202", "## Use instead"))
    with TestClient(namespace["app"]) as client:
        response = client.get("/items")
    assert response.status_code == 200
    assert response.json() == "connection"


def test_a_factory_call_is_legitimate_and_not_reported() -> None:
    source = (
        "from fastapi import Depends, FastAPI, Header, HTTPException\n"
        "app = FastAPI()\n"
        "def require_role(role: str):\n"
        "    def checker(x_role: str = Header()) -> None:\n"
        "        if x_role != role:\n"
        "            raise HTTPException(status_code=403)\n"
        "    return checker\n"
        "@app.get('/admin', dependencies=[Depends(require_role('admin'))])\n"
        "def admin() -> str:\n"
        "    return 'ok'\n"
    )
    assert check_source(source, settings=Settings(select=("FPA202",))) == []
    with TestClient(run_block(source)["app"]) as client:
        assert client.get("/admin", headers={"x-role": "user"}).status_code == 403
        assert client.get("/admin", headers={"x-role": "admin"}).status_code == 200
