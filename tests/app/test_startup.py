"""Start-up: the app reaches its first frame without importing TorchDynamo, and training works."""

import os
import subprocess
import sys

SCRIPT = """
import sys
from ganscope.app.entry import main
code = main(["gui", "--exit-after-first-frame", "--set", "generator.width=32"])
from ganscope.core.engine import GanEngine
from ganscope.core.presets import preset_config
for preset in ("ring", "ring-wgan-gp"):  # hand-written and autograd gradients
    e = GanEngine(preset_config(preset))
    before = [p.clone() for p in e.G.parameters()]
    e.step(3)
    moved = all(not (p == b).all() for p, b in zip(e.G.parameters(), before))
    print(preset, "moved", moved)
print("exit", code, "dynamo", "torch._dynamo" in sys.modules)
"""


def test_first_frame_and_training_without_importing_dynamo():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    assert "first frame drawn" in out.stdout, out.stderr
    assert "exit 0 dynamo False" in out.stdout
    assert "ring moved True" in out.stdout and "ring-wgan-gp moved True" in out.stdout
