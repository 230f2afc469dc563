"""The package's layout keeps data flowing one way: read -> clean -> corpus -> write, with the
run layer on top and the CLI above it. These tests read the imports of every module (with
`ast`, nothing is run) so a change that imports upward, closes an import circle or grows a
module past 500 lines fails here, not in a reviewer's head."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cleaner"

# Lower number = lower layer. A module may import its own layer and the ones below it.
LAYERS = {
    "cleaner.document": 0,
    "cleaner.interrupts": 0,
    "cleaner.storage": 1,
    "cleaner.read": 2,
    "cleaner.clean": 2,
    "cleaner.corpus": 3,
    "cleaner.write": 3,
    "cleaner.run": 4,
    "cleaner.batch": 5,
    "cleaner.cli": 6,
    "cleaner.cli_index": 6,
    "cleaner.__main__": 7,
    "cleaner": 6,  # the public API in __init__ re-exports every layer
}
# Stages of one layer that must not lean on each other: reading knows nothing of cleaning.
INDEPENDENT = [("cleaner.read", "cleaner.clean"), ("cleaner.write", "cleaner.corpus")]
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path) -> Iterator[str]:
    """The cleaner modules `path` imports (resolving relative imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], base]).strip(".")
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.startswith("cleaner") and name in modules():
                yield name


def layer_of(name: str) -> tuple[str, int]:
    best = max((key for key in LAYERS if name == key or name.startswith(key + ".")), key=len)
    return best, LAYERS[best]


def import_graph() -> dict[str, set[str]]:
    return {name: set(imports_of(path)) - {name} for name, path in modules().items()}


def test_every_module_has_a_layer() -> None:
    for name in modules():
        assert any(name == key or name.startswith(key + ".") for key in LAYERS), name


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return [
        f"{name} -> {target}"
        for name, targets in graph.items()
        for target in targets
        if layer_of(target)[1] > layer_of(name)[1]
    ]


def test_no_module_imports_a_higher_layer() -> None:
    assert upward_imports(import_graph()) == []


@pytest.mark.parametrize(("first", "second"), INDEPENDENT)
def test_stages_of_one_layer_stay_apart(first: str, second: str) -> None:
    crossing = [
        f"{name} -> {target}"
        for name, targets in import_graph().items()
        for target in targets
        for a, b in ((first, second), (second, first))
        if layer_of(name)[0] == a and layer_of(target)[0] == b
    ]
    assert crossing == []


def test_no_import_circles() -> None:
    graph = import_graph()
    # A package's __init__ importing its own modules is how packages work, not a circle.
    edges = {
        name: {t for t in targets if not (t.startswith(name + "."))}
        for name, targets in graph.items()
    }
    state: dict[str, int] = {}
    circles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert circles == []


def test_no_module_is_over_500_lines() -> None:
    long = {
        name: count
        for name, path in modules().items()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_checks_see_a_planted_upward_import() -> None:
    """The graph really reads imports: a reader that imported the batch runner is caught."""
    graph = import_graph()
    assert "cleaner.run.batch" in graph["cleaner.cli"] or any(
        t.startswith("cleaner.run") for t in graph["cleaner.cli"]
    )
    planted = {**graph, "cleaner.read.inputs": graph["cleaner.read.inputs"] | {"cleaner.run.batch"}}
    assert upward_imports(planted) == ["cleaner.read.inputs -> cleaner.run.batch"]
