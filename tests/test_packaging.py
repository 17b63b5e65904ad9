"""The package installs as `ganscope` only, each module loads under one name, and the public API resolves."""

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_sub_package_is_listed_for_installation():
    """A new folder under core/ or app/ that pyproject.toml does not list would be missing from the wheel."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {"ganscope"}
    for top in ("core", "app"):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT).parts
            on_disk.add(".".join(("ganscope", *rel)))
    assert on_disk == listed


def test_no_module_is_loaded_under_a_second_name():
    """Importing every module of ganscope loads none as bare `core.*` or `app.*` (one import style)."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import ganscope.core, ganscope.app\n"
        "for pkg in (ganscope.core, ganscope.app):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "bare = sorted(n for n in sys.modules if n.split('.')[0] in ('core', 'app'))\n"
        "print(len([n for n in sys.modules if n.startswith('ganscope.')]), bare)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    count, bare = out.stdout.strip().split(" ", 1)
    assert int(count) > 40 and bare == "[]"


def test_public_api_resolves_lazily_to_the_engine_objects():
    code = (
        "import sys, ganscope\n"
        "assert 'torch' not in sys.modules, 'import ganscope must not import torch'\n"
        "from ganscope.core.engine import GanEngine\n"
        "from ganscope.core.session import save_session\n"
        "assert ganscope.GanEngine is GanEngine and ganscope.save_session is save_session\n"
        "e = ganscope.GanEngine(ganscope.preset_config('ring')); e.step(2); print(e.step_count)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.strip() == "2", out.stderr[-2000:]


def test_every_public_name_exists():
    import ganscope

    for name in ganscope.__all__:
        assert getattr(ganscope, name) is not None, name
    assert [m.name for m in pkgutil.iter_modules(ganscope.__path__)] == []  # the API is the one __init__
