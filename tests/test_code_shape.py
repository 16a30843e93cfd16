"""The code's shape, checked on its syntax tree: short functions (or a stated reason), no import cycles."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("qa_app", "ingest", "ui")
MAX_LINES = 60  # a function longer than this says why on its def line: `def f(...):  # long: why`


def _modules() -> dict[str, Path]:
    """Module name -> file, for the app's packages and app.py."""
    found = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def long_functions(source: str) -> list[tuple[str, int]]:
    """(name, lines) of the functions over `MAX_LINES` lines whose def line has no `# long:` reason.

    Example: a 70-line `def f():` -> [("f", 70)]; `def f():  # long: one table` -> []
    """
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            # The def line is the one that ends the signature (a signature may span lines).
            signature_end = node.body[0].lineno - 1
            header = lines[node.lineno - 1 : signature_end]
            if length > MAX_LINES and not any("# long:" in line for line in header):
                found.append((node.name, length))
    return found


def top_level_imports(source: str, modules: set[str]) -> set[str]:
    """The modules of `modules` that a module imports when it is imported (not in functions or
    `if TYPE_CHECKING:`).

    Example: "import qa_app.store\\ndef f():\\n    import ingest.load" -> {"qa_app.store"}
    """
    found: set[str] = set()
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ast.walk(node) if not isinstance(node, ast.FunctionDef | ast.ClassDef) else []:
            if isinstance(inner, ast.Import):
                found |= {alias.name for alias in inner.names}
            elif isinstance(inner, ast.ImportFrom) and inner.module and not inner.level:
                found.add(inner.module)
                found |= {f"{inner.module}.{alias.name}" for alias in inner.names}
        if isinstance(node, ast.ClassDef):  # imports in a class body run at import time too
            found |= top_level_imports("\n".join(ast.unparse(n) for n in node.body), modules)
    return found & modules


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles in `graph` (module -> modules it imports), each as a path back to its start.

    Example: {"a": {"b"}, "b": {"a"}} -> [["a", "b", "a"]]
    """
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for other in sorted(graph.get(module, ())):
            if state.get(other) == 1:
                found.append([*path[path.index(other) :], other])
            elif other not in state:
                visit(other, [*path, other])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


def test_no_long_function_without_a_reason() -> None:
    offenders = {
        f"{name}.{function}": length
        for name, path in _modules().items()
        for function, length in long_functions(path.read_text(encoding="utf-8"))
    }
    assert offenders == {}, f"split these or write `# long: why` on the def line: {offenders}"


def test_the_check_finds_a_long_function() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    assert long_functions(f"def f():\n{body}\n") == [("f", MAX_LINES + 1)]
    assert long_functions(f"def f():  # long: one table\n{body}\n") == []


def test_no_import_cycles() -> None:
    modules = _modules()
    names = set(modules)
    graph = {
        name: top_level_imports(path.read_text(encoding="utf-8"), names) - {name} for name, path in modules.items()
    }
    assert cycles(graph) == []


def test_the_check_finds_a_cycle() -> None:
    names = {"a", "b", "c"}
    graph = {"a": top_level_imports("import b", names), "b": top_level_imports("from c import x", names)}
    graph["c"] = top_level_imports("if TYPE_CHECKING:\n    import a\ndef f():\n    import a", names)
    assert cycles(graph) == []
    graph["c"] = top_level_imports("from a import y", names)
    assert cycles(graph) == [["a", "b", "c", "a"]]
