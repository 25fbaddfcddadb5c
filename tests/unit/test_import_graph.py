"""The import graph of `bot` and `cards`, read statically (ast): no cycles, and the layers stay apart.

Every import counts, at module level or inside a function (a deferred import still ties two modules together).
Importing `a.b.c` from outside `a.b` also runs `a.b`'s `__init__`, so that is an edge too.

Layers: only `bot/teams` speaks the Bot Framework SDK; services, domain, store, graph and cards never reach into
`bot.teams`; domain and cards depend on neither the store, Graph nor the services.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "cards")
SDK = ("botbuilder", "botframework")


@dataclass(frozen=True, slots=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (or package), absolute
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute module a relative `from` import in `module` names."""
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def _imports(module: str, path: Path, known: set[str]) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                origin = _resolve(module, is_package, node.level, node.module)
            else:
                origin = node.module or ""
            named = [f"{origin}.{alias.name}" for alias in node.names]
            submodules = [n for n in named if n in known]
            if len(submodules) < len(named):  # some names are attributes of `origin` itself
                yield Import(module, origin, node.lineno)
            for target in submodules:
                yield Import(module, target, node.lineno)


def _edges(imports: list[Import], known: set[str]) -> dict[str, set[str]]:
    """module -> the modules of ours that importing it runs, parent packages included (except the importer's
    own ancestors, which are already being imported when it runs)."""
    graph: dict[str, set[str]] = {name: set() for name in known}
    for item in imports:
        parts = item.target.split(".")
        own = {".".join(item.source.split(".")[:i]) for i in range(1, item.source.count(".") + 1)}
        for i in range(1, len(parts) + 1):
            name = ".".join(parts[:i])
            is_target = i == len(parts)
            if name in known and name != item.source and (is_target or name not in own):
                graph[item.source].add(name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    modules = _modules()
    known = set(modules)
    return [item for name, path in modules.items() for item in _imports(name, path, known)]


def _within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _violations(imports: list[Import], sources: tuple[str, ...], targets: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{i.source}:{i.line} imports {i.target}"
        for i in imports
        if _within(i.source, *sources) and _within(i.target, *targets)
    )


def test_the_graph_sees_known_edges(imports: list[Import]) -> None:
    """The reader finds relative, absolute and in-function imports (guards the guard)."""
    modules = _modules()
    graph = _edges(imports, set(modules))
    assert "bot.store.tables" in graph["bot.store.outbox"]  # relative, module level
    assert "bot.domain.model" in graph["cards.common"]  # absolute
    assert "bot.store" in graph["bot.services.notices"]  # a submodule's package runs first
    assert "bot.store" not in graph["bot.store.outbox"]  # ... but not for its own modules
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles(imports: list[Import]) -> None:
    modules = _modules()
    assert _cycles(_edges(imports, set(modules))) == []


def test_only_bot_teams_imports_the_bot_framework_sdk(imports: list[Import]) -> None:
    found = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in imports
        if i.target.split(".")[0] in SDK and not _within(i.source, "bot.teams")
    ]
    assert found == []


def test_inner_layers_do_not_import_bot_teams(imports: list[Import]) -> None:
    inner = ("bot.services", "bot.domain", "bot.store", "bot.graph", "cards")
    assert _violations(imports, inner, ("bot.teams",)) == []


def test_domain_and_cards_stand_alone(imports: list[Import]) -> None:
    outer = ("bot.store", "bot.graph", "bot.services")
    assert _violations(imports, ("bot.domain", "cards"), outer) == []
