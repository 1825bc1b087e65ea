"""FPA508: a `{x:path}` parameter joined to a base directory serves files outside it (`..` segments reach the
handler once the client percent-encodes the slashes); the resolve-and-check version refuses them."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block

TRAVERSAL = "/files/..%2Fprivate%2Fkey.pem"


def _client(heading: str, tmp_path: Path) -> TestClient:
    public = tmp_path / "public"
    public.mkdir()
    (public / "hello.txt").write_text("hello", encoding="utf-8")
    private = tmp_path / "private"
    private.mkdir()
    (private / "key.pem").write_text("-----BEGIN PRIVATE KEY-----", encoding="utf-8")
    namespace = run_block(doc_block("FPA508", heading))
    namespace["BASE_DIR"] = public.resolve()  # the handler reads the module global at request time
    return TestClient(namespace["app"])


def test_path_parameter_reads_outside_the_base_directory(tmp_path: Path) -> None:
    source = doc_block("FPA508", "## Example")
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA508",)))] == ["FPA508"]
    client = _client("## Example", tmp_path)
    assert client.get("/files/hello.txt").text == "hello"
    leaked = client.get(TRAVERSAL)
    assert leaked.status_code == 200
    assert leaked.text == "-----BEGIN PRIVATE KEY-----"


def test_checked_path_is_refused(tmp_path: Path) -> None:
    client = _client("## Use instead", tmp_path)
    assert client.get("/files/hello.txt").text == "hello"
    assert client.get(TRAVERSAL).status_code == 404
