"""The layering the design promises: core never loads Qt, pyqtgraph or the app, and its modules import
one another without a cycle (lazy imports inside functions included: they only hide a cycle)."""

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "core"
PACKAGE = "ganscope.core"  # core/ installs as ganscope.core (pyproject.toml's package-dir)
FORBIDDEN = ("PySide6", "pyqtgraph", "shiboken6", "ganscope.app", "app")


def core_modules() -> list[str]:
    return sorted(f"{PACKAGE}.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__")


def source_of(module: str) -> Path:
    return CORE / (module.rsplit(".", 1)[1] + ".py")


def forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def imports_of(module: str, known: set[str]) -> set[str]:
    """The core modules that `module` imports anywhere in its source (top level or in a function)."""
    tree = ast.parse(source_of(module).read_text(encoding="utf-8"))
    package = module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([package, *([base] if base else [])])
            names = [base, *(f"{base}.{a.name}" for a in node.names)]
        else:
            continue
        found.update(n for n in names if n in known)
    return found - {module}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return path[path.index(dep) :] + [dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_import_scanner_sees_relative_absolute_and_function_level_imports():
    known = set(core_modules())
    assert "ganscope.core.engine" in imports_of("ganscope.core.scenarios", known)  # imported inside a function
    assert {"ganscope.core.config", "ganscope.core.objectives"} <= imports_of("ganscope.core.arjovsky", known)


def test_core_modules_import_one_another_without_a_cycle():
    known = set(core_modules())
    graph = {m: imports_of(m, known) for m in known}
    assert find_cycle(graph) is None, f"import cycle in core: {' -> '.join(find_cycle(graph))}"


def test_no_core_source_names_qt_pyqtgraph_or_the_app_even_lazily():
    """Imports inside functions and importlib strings never run in the fresh-interpreter test below."""
    offences = []
    for module in core_modules():
        for node in ast.walk(ast.parse(source_of(module).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", "") == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names = [node.args[0].value]
            else:
                continue
            offences += [f"{module}:{node.lineno} {n}" for n in names if forbidden(n)]
    assert offences == []


def test_no_core_module_loads_qt_pyqtgraph_or_the_app():
    # A fresh interpreter: the test process itself may have loaded Qt for other tests.
    code = (
        "import importlib, json, sys\n"
        f"for m in {core_modules()!r}:\n"
        "    importlib.import_module(m)\n"
        f"bad = sorted(n for n in sys.modules if any(n == f or n.startswith(f + '.') for f in {FORBIDDEN!r}))\n"
        "print(json.dumps(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1]) == []


def test_the_headless_commands_run_without_the_app(tmp_path):
    """`core.cli` alone knows only the headless commands; the app's (gui, export) come from app.entry."""
    code = (
        "import sys\n"
        "from ganscope.core.cli import main\n"
        "code = main(['train', '--steps', '3', '--quiet', '--set', 'generator.width=8', '--set',"
        " 'discriminator.width=8', '--set', 'run.eval_samples=100'])\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('PySide6', 'pyqtgraph', 'app')"
        " or n.startswith('ganscope.app'))\n"
        "print('exit', code, 'loaded', bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "exit 0 loaded []"
