"""`path_regex` answers exactly as the regex Starlette compiles for a template, without compiling one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flake8_fastapi.model.paths import _compiled, _Segments, path_regex
from tests.hardening.test_fuzz import fuzz

SEGMENT_LIST = (
    ["", "items", "a.b", "{id}", "{id:int}", "{x:float}", "{u:uuid}", "{name:str}", "{rest:path}", "{id}.txt",
     "{a}{b}", "{bad:conv}", "{item-id}", "v1", "{id}", " ", "\n"]
)  # fmt: skip
TEXT_LIST = (
    ["", "items", "a.b", "42", "4.2", "4.", ".5", "x", "123e4567-e89b-12d3-a456-426614174000", "v1", "²", " ", "a/b",
     "7.txt", "\n", "items\n"]
)  # fmt: skip
SEGMENTS = st.sampled_from(SEGMENT_LIST)
TEXT = st.sampled_from(TEXT_LIST)


@st.composite
def templates(draw: st.DrawFn) -> str:
    return "/" + "/".join(draw(st.lists(SEGMENTS, min_size=0, max_size=4)))


@st.composite
def urls(draw: st.DrawFn) -> str:
    return "/" + "/".join(draw(st.lists(TEXT, min_size=0, max_size=5)))


@fuzz(5.0)
@given(templates(), urls())
def test_matches_like_the_compiled_regex(template: str, url: str) -> None:
    compiled = _compiled(template)
    pattern = path_regex(template)
    assert (pattern is None) == (compiled is None)
    if pattern is not None and compiled is not None:
        assert bool(pattern.match(url)) == bool(compiled.match(url)), (template, url)


def test_whole_segment_templates_are_not_compiled() -> None:
    assert isinstance(path_regex("/items/{id:int}/{rest:path}"), _Segments)
    assert not isinstance(path_regex("/files/{name}.txt"), _Segments)
    pattern = path_regex("/items/{id:int}/{rest:path}")
    assert pattern is not None
    assert pattern.match("/items/3/a/b") and pattern.match("/items/3/")
    assert not pattern.match("/items/3") and not pattern.match("/items/x/a")


def test_every_small_template_against_every_small_url() -> None:
    """Exhaustive over one and two segments: each converter against each kind of text, side by side."""
    parts, texts = SEGMENT_LIST, TEXT_LIST
    templates = ["/" + a for a in parts] + ["/" + a + "/" + b for a in parts for b in parts]
    url_list = ["/" + a for a in texts] + ["/" + a + "/" + b for a in texts for b in texts]
    for template in templates:
        compiled, pattern = _compiled(template), path_regex(template)
        assert (pattern is None) == (compiled is None), template
        if pattern is None or compiled is None:
            continue
        for url in url_list:
            assert bool(pattern.match(url)) == bool(compiled.match(url)), (template, url)
