"""## What it does
Finds a FastAPI parameter marker (`Depends`, `Security`, `Query`, `Path`, `Body`, `Header`, `Cookie`, `Form`,
`File`) written as a parameter's default value instead of inside `Annotated`, in any function: route handlers,
dependencies (functions and class `__init__`s), annotated or not. Applies from FastAPI 0.95, the first release
that reads markers from `Annotated`.

## Why is this bad?
FastAPI reads both forms the same way, but the default form lies to Python and to every other caller: the
function's real default is a `Query`/`Depends` object. Called directly (a unit test, a script, another
function) it silently receives that object instead of a value or a `TypeError`; type checkers see a default
of the wrong type; `Depends` defaults force Python's ordering rules onto the signature (a parameter without a
default cannot follow one), and the parameter type cannot be reused as an alias
(`CurrentUser = Annotated[User, Depends(get_current_user)]`). FastAPI's documentation recommends `Annotated`.

## Example
```python
from fastapi import FastAPI, Query

app = FastAPI()


@app.get("/items")
async def read_items(q: str | None = Query(None, max_length=50)) -> dict[str, str | None]:
    return {"q": q}
```

## Use instead
```python
from typing import Annotated

from fastapi import FastAPI, Query

app = FastAPI()


@app.get("/items")
async def read_items(q: Annotated[str | None, Query(max_length=50)] = None) -> dict[str, str | None]:
    return {"q": q}
```

## Fix
Rewrites every marker default of the function to `Annotated[T, Marker(...)]` and adds
`from typing import Annotated` (or uses the `Annotated` the module already imports, from `typing` or
`typing_extensions`). The marker's default moves to the parameter: `Query(None, max_length=5)` becomes
`Annotated[..., Query(max_length=5)] = None`; `Query()`/`Query(...)`/`Path(...)` and every `Depends`/`Security`
become required parameters. An unannotated `Depends(get_db)` takes the dependency's return annotation (the
yielded type of a generator) when it is a plain name this file can spell, and `Depends(SomeClass)` takes the
class. Safe: FastAPI reads the result exactly as before. When a parameter that becomes required would follow
one with a default, the fix makes the rest of the signature keyword-only (`*,`): FastAPI passes every
argument by keyword, but direct positional callers would break, so that fix is unsafe. No fix for an
unannotated `Query`/`Header`/... (the type is unknown), for a string annotation, or when `Annotated` cannot be
imported under its name.

## Related
ruff `FAST002` (only for route handlers and only when the parameter is annotated: it misses
`db=Depends(get_db)` and every dependency function). ruff `B008` (function call in a default) also fires on
these defaults unless `Depends`/`Query` are configured as immutable calls; the `Annotated` form satisfies both.

## See also
- https://fastapi.tiangolo.com/tutorial/query-params-str-validations/#use-annotated-in-the-type-for-the-q-parameter
- https://fastapi.tiangolo.com/tutorial/dependencies/#share-annotated-dependencies
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from ...fixes import import_edit
from ...model.facts import ClassInfo, FunctionInfo, ModuleFacts, Scope
from ...model.names import canonical
from ...model.params import Param, params_of, resolve_dependency
from ...model.project import Project
from ...model.walk import walk_list
from ..base import Context, Edit, Finding, Fix, Rule
from ._common import GENERATOR_TYPES, builtin_name, type_name

_ANNOTATED = ("typing.Annotated", "typing_extensions.Annotated")
_UNDEFINED = ("Undefined", "PydanticUndefined", "Required")


@dataclass
class _Conversion:
    param: Param
    text: str  # `name: Annotated[T, Marker(...)]`, without a default
    default: str | None  # the default the parameter keeps, if any


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    version_checked = False
    for fn in module.functions.values():
        args = fn.node.args
        if not any(isinstance(d, ast.Call) for d in (*args.defaults, *args.kw_defaults)):
            continue
        params = params_of(project, module, fn)
        marked = [p for p in params if p.marker_in_default and p.default is not None]
        if not marked:
            continue
        if not version_checked:
            version = ctx.fastapi_version
            if version is not None and version < (0, 95):
                return  # `Annotated` markers arrived in FastAPI 0.95
            version_checked = True
        spelling = _annotated_spelling(module, fn.scope)
        conversions: dict[int, _Conversion] = {}
        if spelling is not None:
            for param in marked:
                conversion = _convert(project, module, fn, param, spelling[0])
                if conversion is not None:
                    conversions[id(param)] = conversion
        whole = _signature_fix(module, fn, params, conversions, spelling[1] if spelling else None)
        for param in marked:
            assert param.default is not None and param.marker is not None
            yield ctx.finding(
                param.default,
                f"`{param.marker}(...)` is the default of parameter `{param.name}`: declare it as "
                f"`{param.name}: Annotated[..., {param.marker}(...)]`",
                fix=whole if id(param) in conversions else None,
            )


def _annotated_spelling(module: ModuleFacts, scope: Scope) -> tuple[str, Edit | None] | None:
    """How to write `Annotated` in this function's signature, and the import to add (if any)."""
    for name, qual in module.scope.bindings.items():
        if qual in _ANNOTATED and scope.lookup(name) == qual:
            return (name, None) if not _type_checking_only(module, qual) else None
    if scope.lookup("Annotated") is None:
        has_typing = has_extensions = False
        tree = module.source.tree
        for stmt in tree.body if tree is not None else ():
            if isinstance(stmt, ast.ImportFrom) and stmt.level == 0:
                has_typing |= stmt.module == "typing"
                has_extensions |= stmt.module == "typing_extensions"
        source = "typing_extensions" if has_extensions and not has_typing else "typing"
        edit = import_edit(module, source, "Annotated")
        return ("Annotated", edit) if edit is not None else None
    for name, qual in module.scope.bindings.items():
        if qual in ("typing", "typing_extensions") and scope.lookup(name) == qual:
            return f"{name}.Annotated", None
    return None


def _type_checking_only(module: ModuleFacts, qual: str) -> bool:
    """Whether the import binding `qual` sits under `if TYPE_CHECKING:` (absent at runtime)."""
    statement = module.imports.get(qual)
    tree = module.source.tree
    if statement is None or tree is None:
        return False
    return any(
        isinstance(stmt, ast.If)
        and module.resolve(stmt.test) == "typing.TYPE_CHECKING"
        and any(node is statement for node in walk_list(stmt))
        for stmt in tree.body
    )


def _convert(
    project: Project, module: ModuleFacts, fn: FunctionInfo, param: Param, annotated: str
) -> _Conversion | None:
    call = param.marker_call
    if call is None or param.kind not in ("positional", "keyword"):
        return None
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    src = module.source
    type_text = _type_text(project, module, fn, param)
    if type_text is None:
        return None
    default: str | None = None
    marker_text = src.segment(call)
    if param.marker not in ("Depends", "Security"):
        keyword = next((k for k in call.keywords if k.arg == "default"), None)
        if len(call.args) > 1 or (call.args and keyword is not None):
            return None
        element: ast.expr | ast.keyword | None = call.args[0] if call.args else keyword
        if element is not None:
            value = element.value if isinstance(element, ast.keyword) else element
            marker_text = _without(module, call, element)
            if not (isinstance(value, ast.Constant) and value.value is Ellipsis):
                resolved = module.resolve(value, fn.scope) or ""
                if resolved.rsplit(".", 1)[-1] in _UNDEFINED:
                    return None
                default = src.segment(value)
        if default is not None and (param.marker == "Path" or any(k.arg == "default_factory" for k in call.keywords)):
            return None
    text = f"{param.name}: {annotated}[{type_text}, {marker_text}]"
    try:
        ast.parse(f"def _({text}{' = ' + default if default is not None else ''}): pass")
    except SyntaxError:
        return None
    return _Conversion(param, text, default)


def _type_text(project: Project, module: ModuleFacts, fn: FunctionInfo, param: Param) -> str | None:
    annotation = param.annotation
    if annotation is not None:
        if isinstance(annotation, ast.Constant):
            return None  # a string annotation: leave it to the author
        if isinstance(annotation, ast.Subscript) and module.resolve(annotation.value, fn.scope) in _ANNOTATED:
            return None  # a marker in both places: FastAPI refuses it; no mechanical answer
        return module.source.segment(annotation)
    if param.marker not in ("Depends", "Security") or param.dependency is None:
        return None
    target = resolve_dependency(project, param)
    if target is None:
        return None
    dep_module, dep = target
    if isinstance(dep, ClassInfo):
        return _spell(module, fn.scope, dep.qualname)
    returns = dep.node.returns
    if returns is None:
        return None
    if dep.yields and isinstance(returns, ast.Subscript):
        if type_name(dep_module, returns, dep.scope) not in GENERATOR_TYPES:
            return None
        returns = returns.slice.elts[0] if isinstance(returns.slice, ast.Tuple) else returns.slice
    elif dep.yields:
        return None
    if isinstance(returns, ast.Constant) and returns.value is None:
        return "None"
    if not isinstance(returns, (ast.Name, ast.Attribute)):
        return None
    builtin = builtin_name(dep_module, returns, dep.scope)
    if builtin is not None:
        return builtin if fn.scope.lookup(builtin) is None else None
    qual = dep_module.resolve(returns, dep.scope)
    return _spell(module, fn.scope, qual) if qual is not None else None


def _spell(module: ModuleFacts, scope: Scope, qual: str) -> str | None:
    """A name (or dotted name) that denotes `qual` in `scope`, from the module's own bindings."""
    qual = canonical(qual)
    best: str | None = None
    for name, bound in module.scope.bindings.items():
        if scope.lookup(name) != bound:
            continue
        if canonical(bound) == qual:
            return name
        if best is None and qual.startswith(bound + "."):
            best = name + qual[len(bound) :]
    return best


def _without(module: ModuleFacts, call: ast.Call, element: ast.expr | ast.keyword) -> str:
    """The marker call's text without one argument (and its comma)."""
    src = module.source
    elements: list[ast.expr | ast.keyword] = sorted([*call.args, *call.keywords], key=lambda n: src.start(n))
    if len(elements) == 1:
        return f"{src.segment(call.func)}()"
    base = src.offset(src.start(call))
    text = src.segment(call)
    index = elements.index(element)
    if index + 1 < len(elements):
        cut = src.offset(src.start(element)), src.offset(src.start(elements[index + 1]))
    else:
        cut = src.offset(src.end(elements[index - 1])), src.offset(src.end(element))
    return text[: cut[0] - base] + text[cut[1] - base :]


def _signature_fix(
    module: ModuleFacts,
    fn: FunctionInfo,
    params: list[Param],
    conversions: dict[int, _Conversion],
    import_: Edit | None,
) -> Fix | None:
    if not conversions:
        return None
    args = fn.node.args
    positional = [p for p in params if p.kind == "positional"]
    keyword_only_from: Param | None = None
    seen_default = False
    for param in positional:
        conversion = conversions.get(id(param))
        has_default = conversion.default is not None if conversion is not None else param.default is not None
        if has_default:
            seen_default = True
        elif seen_default:
            keyword_only_from = param
            break
    if keyword_only_from is not None:
        if args.vararg is not None or args.kwonlyargs or any(a is keyword_only_from.arg for a in args.posonlyargs):
            return None
        if id(keyword_only_from) not in conversions:
            return None
    src = module.source
    edits: list[Edit] = []
    for conversion in conversions.values():
        param = conversion.param
        assert param.default is not None
        text = conversion.text + (f" = {conversion.default}" if conversion.default is not None else "")
        if param is keyword_only_from:
            text = "*, " + text
        edits.append(Edit(src.start(param.arg), src.end(param.default), text))
    if import_ is not None:
        edits.append(import_)
    unsafe = keyword_only_from is not None
    message = "Move the markers into `Annotated`" + (" (and make the rest keyword-only)" if unsafe else "")
    return Fix(message, tuple(edits), "unsafe" if unsafe else "safe")


RULE = Rule(
    code="FPA201",
    name="marker-as-default",
    summary="Parameter marker (`Depends`, `Query`, ...) as a default instead of `Annotated`",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="safe",
    scope="project",
    peers=("FAST002",),
)
