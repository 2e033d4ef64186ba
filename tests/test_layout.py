"""The folders show the pipeline: stage packages, lower stages never import higher ones, no import circle.

Every import in briefgen/ counts, the lazy ones inside functions too (a lazy import is still a
dependency: it only moves the cost to the first call). The graph is read with `ast`, nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "briefgen"

# The stages, lowest first. A module may import modules of its own stage or of a lower one.
GROUND = {"briefgen", "briefgen.model", "briefgen.errors", "briefgen.labels", "briefgen.dates", "briefgen.arabic",
          "briefgen.anchors", "briefgen.changes"}
STAGES = ["project", "read", "evidence", "render", "edit", "run"]
SHELLS = {"briefgen.cli", "briefgen.__main__"}
RENDER_SHARED = {"fonts", "theme", "ooxml"}  # helpers any renderer may use


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


MODULES = _modules()
# Parsed once, at collection: CPython 3.11.7's ast can fail ("AST constructor recursion depth mismatch")
# when it parses after another test hit a RecursionError (gh-106905), and the parse is not what is tested.
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, (path, _) in MODULES.items()}


def _imports(name: str) -> set[str]:
    path, is_package = MODULES[name]
    here = name.split(".") if is_package else name.split(".")[:-1]
    deps: set[str] = set()
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.Import):
            deps.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                deps.add(sub if sub in MODULES else module)
    return {d for d in deps if d in MODULES and d != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _rank(name: str) -> int:
    if name in GROUND:
        return 0
    if name in SHELLS or name.startswith("briefgen.preview"):
        return len(STAGES) + 1
    stage = name.split(".")[1]
    assert stage in STAGES, f"{name} is in no stage package: put it in one of {STAGES} or the ground floor"
    return STAGES.index(stage) + 1


def test_every_module_belongs_to_a_stage():
    for name in MODULES:
        _rank(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_lower_stage_never_imports_a_higher_one(name):
    higher = sorted(d for d in GRAPH[name] if _rank(d) > _rank(name))
    assert not higher, f"{name} (stage {_rank(name)}) imports higher stages: {higher}"


def test_no_import_circle():
    """Depth-first search over every import; the first circle found is printed whole."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for dep in sorted(GRAPH[name]):
            if state.get(dep) == 1:
                return path[path.index(dep):] + [dep]
            if dep not in state and (found := visit(dep)):
                return found
        path.pop()
        state[name] = 2
        return None

    for name in sorted(GRAPH):
        if name not in state:
            circle = visit(name)
            assert circle is None, "import circle: " + " -> ".join(circle)


def test_the_graph_sees_real_imports():
    """The walker is not blind: known edges of the pipeline are found (lazy imports included)."""
    assert "briefgen.evidence.check" in GRAPH["briefgen.run.pipeline"]
    assert "briefgen.edit.record" in GRAPH["briefgen.run.pipeline"]  # imported inside _build
    assert "briefgen.read.sources" in GRAPH["briefgen.evidence.match"]
    assert "briefgen.project.safefs" in GRAPH["briefgen.read.outline"]


def _family(name: str) -> str | None:
    if not name.startswith("briefgen.render."):
        return None
    leaf = name.rsplit(".", 1)[1]
    if leaf in RENDER_SHARED:
        return None
    return "docx" if leaf.startswith("docx") else "pdf" if leaf.startswith("pdf") else leaf  # docx_*, pdf_* parts


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("briefgen.render.")
                                        and n != "briefgen.render"))
def test_renderers_only_read_the_model(name):
    """A renderer never imports another renderer, nor the editing stage (anchors live beside the model)."""
    mine = _family(name)
    others = sorted(d for d in GRAPH[name] if _family(d) not in (None, mine))
    assert not others, f"{name} imports another renderer: {others}"
    assert not [d for d in GRAPH[name] if d.startswith("briefgen.edit")]


@pytest.mark.parametrize("package", sorted(n for n, (_, is_pkg) in MODULES.items() if is_pkg))
def test_each_package_opens_with_a_docstring_naming_its_stage(package):
    path, _ = MODULES[package]
    doc = ast.get_docstring(TREES[package])
    assert doc and doc.strip(), f"{path} has no docstring"
    if package != "briefgen":
        first = doc.strip().splitlines()[0].lower()
        assert "stage" in first or "renderers" in first, f"{path}: the first line should name its stage: {first}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_each_module_keeps_its_docstring(name):
    path, _ = MODULES[name]
    if path.stat().st_size == 0:
        return
    assert ast.get_docstring(TREES[name]), f"{path} has no docstring"
