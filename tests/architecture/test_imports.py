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


def test_starting_a_process_loads_neither_scikit_learn_nor_scipy_stats():
    """Every web and worker process imports the app and its wiring; the heavy numeric libraries wait for use
    (they cost ~1.5 s and ~80 MB per process), and the modules that need them still work when called."""
    import subprocess
    import sys

    script = ("import sys, centric.wiring, centric.web.serving, centric.cli.main\n"
              "heavy = sorted(m for m in ('sklearn', 'scipy.stats', 'scipy.optimize') if m in sys.modules)\n"
              "from centric.stats.estimate import two_sided_normal_p\n"
              "print(heavy, round(two_sided_normal_p(1.959963984540054), 6), 'scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[]", "0.05", "True"]
