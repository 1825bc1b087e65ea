"""FPA804: the request of the documented example answers 404 (and its loose assertion still passes); a wrong
method on a known path answers 405; the corrected path answers 200."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ._rule_examples import doc_block, run_block


def test_unknown_path_answers_404_and_the_test_still_passes() -> None:
    namespace = run_block(doc_block("FPA804", "## Example"))
    client: TestClient = namespace["client"]
    assert client.get("/item/1").status_code == 404
    namespace["test_read_item"]()  # the test "passes" while testing nothing
    assert client.delete("/items/1").status_code == 405
    assert client.get("/items/1/").status_code == 200  # redirect_slashes: a trailing slash is forgiven


def test_corrected_path_reaches_the_handler() -> None:
    namespace = run_block(doc_block("FPA804", "## Use instead"))
    assert namespace["client"].get("/items/1").json() == {"item_id": 1}
    namespace["test_read_item"]()
