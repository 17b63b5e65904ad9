"""The Qt runtime we ship on is one that survives long sessions."""

import subprocess
import sys
from importlib.metadata import version

import pytest

pytest.importorskip("PySide6")

EMITS = """
from PySide6.QtCore import QCoreApplication, QObject, Signal
class Source(QObject):
    fired = Signal(bool)
app = QCoreApplication([])
got = []
s = Source()
s.fired.connect(lambda flag: got.append(flag))
for i in range(10000):
    s.fired.emit(i % 2 == 0)
assert len(got) == 10000 and got[:2] == [True, False]
print("ok", len(got))
"""


def test_ten_thousand_signal_emits_do_not_abort_python():
    # PySide6 6.12.0 on Python 3.11 steals a reference to True per emit and aborts after ~2,000.
    out = subprocess.run([sys.executable, "-c", EMITS], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok 10000"


def test_installed_pyside6_respects_the_pin():
    if sys.version_info < (3, 12):
        major, minor = (int(p) for p in version("PySide6-Essentials").split(".")[:2])
        assert (major, minor) < (6, 12)
