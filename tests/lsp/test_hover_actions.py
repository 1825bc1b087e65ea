"""Hover (rule docs, noqa codes, route cards, dependencies) and code actions (quick fix, noqa, fix all)."""

from __future__ import annotations

from lsprotocol import types

from .conftest import Session


def markdown(hover: types.Hover | None) -> str:
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    return hover.contents.value


async def hover_at(session: Session, uri: str, needle: str, offset: int = 1, occurrence: int = 0) -> types.Hover | None:
    return await session.client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=session.position(uri, needle, offset, occurrence),
        )
    )


async def test_hover_on_diagnostic_shows_rule_docs(session: Session) -> None:
    uri = session.open("app/users.py")
    await session.diagnostics(uri, lambda ds: any(d.code == "FPA101" for d in ds))
    text = markdown(await hover_at(session, uri, '"/{user_id}/orders/{order_id}"', 3))
    assert "**FPA101**" in text and "## What it does" in text and "order_id" in text


async def test_hover_on_noqa_code(session2: Session) -> None:
    session = session2
    text = (session.root / "app/users.py").read_text(encoding="utf-8")
    text = text.replace(
        "def read_orders(user_id: int) -> list[int]:",
        "def read_orders(user_id: int) -> list[int]:  # noqa: FPA101, FPA103",
    )
    uri = session.open("app/users.py", text)
    hover = await hover_at(session, uri, "FPA103", 2)
    page = markdown(hover)
    assert page.startswith("# FPA103") and "FPA101" not in page.split("\n", 1)[0]
    assert hover is not None and hover.range is not None
    assert hover.range.end.character - hover.range.start.character == len("FPA103")


async def test_route_card_on_handler_name(session2: Session) -> None:
    session = session2
    uri = session.open("app/users.py")
    await session.scanned()
    card = markdown(await hover_at(session, uri, "def read_user(", 6))
    assert "GET /api/users/{user_id}" in card
    assert "include_router" in card and "app/main.py" in card and "prefix /api" in card
    assert "`200`" in card
    assert "users" in card  # tag
    assert "`current_user`" in card and "`get_db`" in card and "app/users.py" in card
    assert "-> dict[str, int]" in card


async def test_route_card_on_decorator(session2: Session) -> None:
    session = session2
    uri = session.open("app/users.py")
    await session.scanned()
    card = markdown(await hover_at(session, uri, '@router.get("/{user_id}"', 3))
    assert "GET /api/users/{user_id}" in card


async def test_hover_on_depends(session2: Session) -> None:
    session = session2
    uri = session.open("app/users.py")
    await session.scanned()
    text = markdown(await hover_at(session, uri, "Depends(current_user)", 2))
    assert "Dependency `current_user`" in text
    assert "`get_db`" in text  # what it depends on
    assert "Used by 1 route(s)" in text and "/api/users/{user_id}" in text


async def test_quick_fix_and_noqa_actions(session2: Session) -> None:
    session = session2
    uri = session.open("app/users.py")
    diags = await session.diagnostics(uri, lambda ds: any(d.code == "FPA101" for d in ds))
    (diag,) = [d for d in diags if d.code == "FPA101"]
    actions = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )
    assert actions is not None
    by_title = {a.title: a for a in actions if isinstance(a, types.CodeAction)}
    fix = next(a for t, a in by_title.items() if "order_id" in t and "FPA101" in t)
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    fixed = session.apply(uri, session.edits_of(fix.edit, uri))
    assert "def read_orders(order_id: str, user_id: int)" in fixed
    noqa = by_title["Disable FPA101 for this line"]
    silenced = session.apply(uri, session.edits_of(noqa.edit, uri))
    assert '@router.get("/{user_id}/orders/{order_id}")  # noqa: FPA101\n' in silenced
    # Applying the quick fix clears the diagnostic.
    session.change(uri, fixed)
    await session.diagnostics(uri, lambda ds: not any(d.code == "FPA101" for d in ds))


async def test_noqa_action_extends_an_existing_comment(session2: Session) -> None:
    session = session2
    text = (session.root / "app/users.py").read_text(encoding="utf-8")
    text = text.replace(
        '@router.get("/{user_id}/orders/{order_id}")', '@router.get("/{user_id}/orders/{order_id}")  # noqa: FPA999'
    )
    uri = session.open("app/users.py", text)
    diags = await session.diagnostics(uri, lambda ds: any(d.code == "FPA101" for d in ds))
    (diag,) = [d for d in diags if d.code == "FPA101"]
    actions = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )
    assert actions is not None
    noqa = next(a for a in actions if isinstance(a, types.CodeAction) and a.title.startswith("Disable"))
    assert "# noqa: FPA999, FPA101\n" in session.apply(uri, session.edits_of(noqa.edit, uri))


async def test_fix_all_source_action_resolves_lazily(session2: Session) -> None:
    session = session2
    uri = session.open("app/users.py")
    await session.diagnostics(uri, lambda ds: any(d.code == "FPA101" for d in ds))
    actions = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    assert actions is not None
    (action,) = actions
    assert isinstance(action, types.CodeAction) and action.kind == "source.fixAll.fastapi-lint"
    assert action.edit is None  # both profiles can resolve edits
    resolved = await session.client.code_action_resolve_async(action)
    fixed = session.apply(uri, session.edits_of(resolved.edit, uri))
    assert "def read_orders(order_id: str, user_id: int)" in fixed
    session.change(uri, fixed)
    await session.diagnostics(uri, lambda ds: not ds)


async def test_fix_all_command_applies_through_the_client(session2: Session) -> None:
    session = session2
    uri = session.open("app/users.py")
    await session.diagnostics(uri, lambda ds: any(d.code == "FPA101" for d in ds))
    assert session.init.capabilities.execute_command_provider is not None
    assert "fastapi-lint.fixAll" in session.init.capabilities.execute_command_provider.commands
    result = await session.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="fastapi-lint.fixAll", arguments=[uri])
    )
    assert result is True
    (applied,) = session.applied
    assert "order_id: str" in session.apply(uri, session.edits_of(applied.edit, uri))
