"""Bad input, faults and long runs: a clear message and nothing lost, never a traceback."""

import json
import os
import select
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ganscope.core.cli import main
from ganscope.core.config import ConfigError, GanConfig, describe_defaults
from ganscope.core.engine import GanEngine
from ganscope.core.session import SessionError, load_session, save_session
from ganscope.core.targets import MAX_POINTS, load_points

ROOT = Path(__file__).resolve().parents[1]
PATHS = [row[0] for row in describe_defaults()]
NASTY = st.one_of(
    st.sampled_from(
        [
            "",
            "nan",
            "-nan",
            "inf",
            "-1",
            "0",
            "1e308",
            "1e-320",
            "abc",
            "[]",
            "[[1]]",
            "[[0,0],[1]]",
            "true",
            "None",
            "10**9",
            "1,2",
            "[1e400]",
            "\x00",
            "√2",
        ]
    ),
    st.integers(-(10**18), 10**18).map(str),
    st.floats(allow_nan=True).map(repr),
    st.text(max_size=8),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=NASTY)
def test_cli_set_values_give_exit_2_and_name_the_field_or_run(path, value, capsys):
    code = main(["train", "--steps", "0", "--quiet", "--set", f"{path}={value}"])
    out, err = capsys.readouterr()
    assert code in (0, 2)
    if code == 2:
        assert err.startswith("ganscope: error:") and "Traceback" not in err
        assert path in err or path.split(".")[0] in err, err


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(
    doc=st.dictionaries(
        st.sampled_from(["target", "generator", "discriminator", "objective", "d_opt", "g_opt", "run", "extra"]),
        st.one_of(
            _json,
            st.dictionaries(
                st.sampled_from(
                    [
                        "kind",
                        "lr",
                        "width",
                        "depth",
                        "sigma",
                        "n_modes",
                        "batch_size",
                        "points",
                        "centres",
                        "sigmas",
                        "weights",
                        "loss",
                        "seed",
                    ]
                ),
                _json,
                max_size=4,
            ),
        ),
        max_size=5,
    )
)
def test_whole_config_documents_are_valid_or_refused_clearly(doc):
    try:
        cfg = GanConfig.from_json(json.dumps(doc))
        cfg.validate()
    except ConfigError as exc:
        assert str(exc)  # a message, and only ConfigError escapes
        return
    assert GanConfig.from_json(cfg.to_json()).to_dict() == cfg.to_dict()


@pytest.mark.parametrize(
    "path, value",
    [
        ("generator.width", 10**6),
        ("discriminator.width", 10**6),
        ("run.batch_size", 10**8),
        ("run.display_samples", 10**8),
        ("run.surface_res", 10**5),
    ],
)
def test_huge_requests_are_refused_before_allocating(path, value):
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError, match=path.split(".")[1]):
            cfg = GanConfig()
            cfg.set(path, value)
            cfg.validate()
            GanEngine(cfg)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2**20  # refused on arithmetic, not after trying


def test_ten_million_rows_are_refused_from_the_header_alone(tmp_path):
    big = tmp_path / "big.npy"
    np.lib.format.open_memmap(big, mode="w+", dtype=np.float32, shape=(10**7, 2)).flush()
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError, match=f"more than the {MAX_POINTS}"):
            load_points(big)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2**20
    rows = tmp_path / "rows.csv"
    rows.write_text("x,y\n" + "0.5,0.5\n" * (MAX_POINTS + 10))
    with pytest.raises(ConfigError, match="more than"):
        load_points(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_sessions_are_refused_with_a_session_error(saved_session, data):
    blob = bytearray(saved_session.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(blob) - 1))
        blob[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(blob)))
    path = saved_session.with_name("corrupt.gscope")
    path.write_bytes(bytes(blob[:cut]))
    try:
        engine = load_session(path)
    except SessionError as exc:
        assert str(path) in str(exc)
        return
    assert engine.status == "ok"  # a flip in padding can leave a valid file: then it must work


@pytest.fixture(scope="module")
def saved_session(tmp_path_factory):
    cfg = GanConfig()
    cfg.generator.width = cfg.discriminator.width = 16
    e = GanEngine(cfg)
    e.step(3)
    path = tmp_path_factory.mktemp("s") / "run.gscope"
    save_session(e, path)
    return path


WRITER = """
import sys
from ganscope.core.config import GanConfig
from ganscope.core.engine import GanEngine
from ganscope.core.session import save_session
cfg = GanConfig()
cfg.generator.width = cfg.discriminator.width = 64
e = GanEngine(cfg)
print("ready", flush=True)
while True:
    e.step(1)
    save_session(e, sys.argv[1])
"""


@pytest.mark.slow
def test_killing_a_save_midway_never_leaves_a_broken_or_missing_session(tmp_path):
    path = tmp_path / "run.gscope"
    cfg = GanConfig()
    cfg.generator.width = cfg.discriminator.width = 64
    save_session(GanEngine(cfg), path)
    rng = np.random.default_rng(0)
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=ROOT, stdout=subprocess.PIPE)
        started, _, _ = select.select([proc.stdout], [], [], 120)  # a deadline: a hung child fails
        if not started:
            proc.kill()
            proc.wait()
        assert started and proc.stdout.readline().strip() == b"ready", "the writer did not start in 120 s"
        time.sleep(float(rng.uniform(0.05, 0.4)))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        engine = load_session(path)  # whole: the old file or a new one, never half of one
        assert engine.status == "ok"
    stray = [p.name for p in tmp_path.iterdir() if p.name != "run.gscope"]
    assert all(name.startswith(".gs-") and name.endswith(".tmp") for name in stray)


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.slow
def test_soak_20k_steps_memory_stays_flat_and_history_bounded(small_cfg):
    """500 bytes a step would show (the 100k-step version's sensitivity, a fifth of its time):
    after warm-up RSS does not move (1M steps: -0.13 MB, docs/bench/soak_1m_cpu.json, which
    benchmarks/soak.py measures); the 2,000-row training history wraps ten times."""
    from benchmarks.soak import soak

    small_cfg.run.eval_every = 100
    small_cfg.run.history = 2000
    e = GanEngine(small_cfg)
    e.step(2000)  # warm-up: allocator pools, first evaluations
    result = soak(e, 20_000, 2000)
    assert result["status"] == "ok" and result["steps"] == 20_000
    assert result["rss_growth_mb"] < 10, result
    assert len(e.history) <= 2000 and len(e.evaluator.history) <= 2000
    assert e.history.as_arrays()["step"][-1] == e.step_count  # the newest points kept
    assert torch.isfinite(next(e.G.parameters())).all()
