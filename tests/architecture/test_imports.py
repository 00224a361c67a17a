"""The import graph: no cycles anywhere in the package, pure layers stay pure."""

from __future__ import annotations

import grimp
import pytest


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("centric")


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), counting every import: lazy and TYPE_CHECKING too."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    return groups


def test_no_module_imports_itself_through_others(graph):
    assert _cycles(graph) == []


@pytest.mark.parametrize("pure", ["centric.stats", "centric.text"])
def test_pure_computation_imports_no_database_web_or_domain(graph, pure):
    for module in graph.find_descendants(pure) | {pure}:
        for imported in graph.find_modules_directly_imported_by(module):
            assert imported.startswith(pure), f"{module} imports {imported}"
