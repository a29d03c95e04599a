"""The package's structure as a checked contract: its layers (import-linter, configured in
pyproject.toml), no private name imported across modules, no import hidden in a function."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "resnet_book"


def _modules():
    return sorted(p for p in PKG.rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ``import from`` names."""
    if not node.level:
        return node.module or ""
    base = _module_name(path).split(".")
    if path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def test_layers_are_kept():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is not installed (requirements.txt)"
    out = subprocess.run([exe], capture_output=True, text=True, cwd=PKG.parents[1])
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_no_private_name_is_imported_across_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _resolve(path, node).startswith("resnet_book"):
            private = [a.name for a in node.names if a.name.startswith("_") and a.name != "__version__"]
            assert not private, f"{path.name}:{node.lineno} imports private {private} from {_resolve(path, node)}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_no_module_of_the_package_is_imported_inside_a_function(path):
    # (an import inside a function is how a cycle hides; third-party imports for speed are fine)
    tree = ast.parse(path.read_text())
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("resnet_book")):
                    raise AssertionError(f"{path.name}:{node.lineno}: `from {_resolve(path, node)} import ...` inside "
                                         f"{fn.name}(); import it at the top of the module")
                if isinstance(node, ast.Import) and any(a.name.startswith("resnet_book") for a in node.names):
                    raise AssertionError(f"{path.name}:{node.lineno}: resnet_book imported inside {fn.name}()")


def test_a_newcomer_finds_the_loop_the_registry_and_the_quiz_renderer_by_folder_name():
    assert (PKG / "engine" / "train.py").exists() and "def train(" in (PKG / "engine" / "train.py").read_text()
    assert "EXPERIMENTS" in (PKG / "experiments" / "registry.py").read_text()
    assert "def quiz(" in (PKG / "book" / "quizzes.py").read_text()
    for sub in ("models", "engine", "experiments", "book"):
        doc = ast.get_docstring(ast.parse((PKG / sub / "__init__.py").read_text()))
        assert doc and len(doc.split()) > 25, f"{sub}/__init__.py needs a docstring saying what it is for"
