"""Client profiles for the LSP tests: pytest-lsp's recorded capabilities, adjusted to what today's clients send.

- `vscode`: VS Code's recorded capabilities plus what vscode-languageclient 9+ advertises (pull diagnostics with
  refresh, code lens refresh); UTF-16; dynamic file watchers; versioned `documentChanges`.
- `neovim-0.9`: Neovim 0.9 as recorded: push diagnostics only, UTF-16, no dynamic watchers (the server polls),
  plain `changes` edits.
- `neovim-0.11`: Neovim 0.11 as recorded: offers UTF-8 first; it can pull diagnostics but does not handle
  `workspace/diagnostic/refresh`, so the server pushes to it (cross-file findings stay fresh).
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types
from pytest_lsp import client_capabilities


@dataclass(frozen=True)
class Profile:
    name: str
    client: str
    pull: bool
    encoding: str


PROFILES = {
    "vscode": Profile("vscode", "visual_studio_code", True, "utf-16"),
    "neovim-0.9": Profile("neovim-0.9", "neovim@v0.9.1", False, "utf-16"),
    "neovim-0.11": Profile("neovim-0.11", "neovim@v0.11.0", False, "utf-8"),
}


def capabilities(profile: Profile) -> types.ClientCapabilities:
    caps = client_capabilities(profile.client)
    if profile.name == "vscode":
        assert caps.text_document is not None and caps.workspace is not None
        caps.text_document.diagnostic = types.DiagnosticClientCapabilities(
            dynamic_registration=True, related_document_support=False
        )
        caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
        caps.workspace.code_lens = types.CodeLensWorkspaceClientCapabilities(refresh_support=True)
    return caps
