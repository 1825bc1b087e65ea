"""FPA503: `jwt.decode(..., options={"verify_signature": False})` accepts a token forged with any key; PyJWT
without `algorithms=` refuses every token; pinned algorithms reject the forgery."""

from __future__ import annotations

import jwt
import pytest

from flake8_fastapi.config import Settings

from ..lib_runner import check_in_an_app
from ._rule_examples import doc_block, run_block

FORGED = jwt.encode({"sub": "admin"}, "attacker-chosen-key-of-32-bytes!!", algorithm="HS256")
UNSIGNED = jwt.encode({"sub": "admin"}, None, algorithm="none")


def test_unverified_decode_accepts_a_forged_token() -> None:
    source = doc_block("FPA503", "## Example")
    assert [f.code for f in check_in_an_app(source, settings=Settings(select=("FPA503",)))] == ["FPA503"]
    current_user = run_block(source)["current_user"]
    assert current_user(FORGED) == "admin"
    assert current_user(UNSIGNED) == "admin"


def test_pinned_algorithm_rejects_forgeries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "the-real-server-key-of-32-bytes!!")
    current_user = run_block(doc_block("FPA503", "## Use instead"))["current_user"]
    with pytest.raises(jwt.InvalidSignatureError):
        current_user(FORGED)
    with pytest.raises(jwt.InvalidAlgorithmError):
        current_user(UNSIGNED)
    genuine = jwt.encode({"sub": "alice"}, "the-real-server-key-of-32-bytes!!", algorithm="HS256")
    assert current_user(genuine) == "alice"


def test_decode_without_algorithms_refuses_every_token() -> None:
    key = "the-real-server-key-of-32-bytes!!"
    source = "import jwt\n\ndef read(token, key):\n    return jwt.decode(token, key)\n"
    assert [f.code for f in check_in_an_app(source, settings=Settings(select=("FPA503",)))] == ["FPA503"]
    read = run_block(source)["read"]
    with pytest.raises(jwt.DecodeError, match="algorithms"):
        read(jwt.encode({"sub": "alice"}, key, algorithm="HS256"), key)
