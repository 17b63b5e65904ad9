"""The game's spectrum computed beside training (core.spectrum_background), as the training process
does: the same values, bit for bit, at the same steps, and training does not wait for it."""

import threading
import time

import numpy as np
import torch

from ganscope.core.engine import GanEngine
from ganscope.core.session import restore_state
from ganscope.core.spectrum_background import BackgroundSpectra
from ganscope.core.train_process import RemoteTrainer


def _spectrum_cfg(small_cfg):
    small_cfg.run.eval_every = 25
    small_cfg.run.spectrum_every = 50
    return small_cfg


def _same_spectra(a, b) -> None:
    ha, hb = a.spectrum.history.as_arrays(), b.spectrum.history.as_arrays()
    assert set(ha) == set(hb) and len(ha["step"]) >= 2
    for k in ha:
        assert np.array_equal(ha[k], hb[k], equal_nan=True), k
    assert np.array_equal(a.spectrum.values, b.spectrum.values) and a.spectrum.step == b.spectrum.step


def test_a_spectrum_in_the_background_equals_the_one_computed_in_the_step(small_cfg):
    cfg = _spectrum_cfg(small_cfg)
    here, beside = GanEngine(cfg), GanEngine(cfg)
    beside.spectrum.background = BackgroundSpectra()
    for _ in range(5):
        here.step(30)
        beside.step(30)
    beside.spectrum.collect(wait=True)
    assert list(beside.spectrum.history.as_arrays()["step"]) == [50, 100, 150]
    _same_spectra(here, beside)
    assert torch.equal(here.gen.get_state(), beside.gen.get_state())  # and the run itself is unchanged


def test_training_goes_on_while_the_spectrum_is_computed(small_cfg):
    e = GanEngine(_spectrum_cfg(small_cfg))
    e.spectrum.background = BackgroundSpectra()
    release, finished = threading.Event(), threading.Event()
    compute = e.spectrum.compute

    def slow(frozen):  # a spectrum that takes as long as the test wants
        assert release.wait(60), "the test never released the spectrum"
        result = compute(frozen)
        finished.set()
        return result

    e.spectrum.compute = slow
    e.step(120)  # asks for the spectrum at step 50, then trains on
    assert e.step_count == 120 and not finished.is_set()
    assert len(e.spectrum.history) == 0  # not there yet: nothing is recorded before it is computed
    release.set()
    e.spectrum.collect(wait=True)
    assert list(e.spectrum.history.as_arrays()["step"]) == [50, 100]  # at the steps they were asked for
    ref = GanEngine(_spectrum_cfg(small_cfg))
    ref.step(120)
    _same_spectra(ref, e)


def test_a_run_handed_back_by_the_process_holds_every_spectrum_asked_for(small_cfg):
    cfg = _spectrum_cfg(small_cfg)
    r = RemoteTrainer()
    try:
        r.start()
        assert r.check_ready(timeout=60), "the training process did not start"
        e = GanEngine(cfg)
        r.push(e, speed=0)
        deadline = time.monotonic() + 60
        while not any(m[0] == "frame" and m[1]["step"] >= 160 for m in r.receive(0.5)):
            assert not r.dead and time.monotonic() < deadline, "the process did not reach step 160 in 60 s"
        state, _ = r.pull(timeout=60)
        assert state is not None
        restore_state(e, state)
    finally:
        r.close()
    ref = GanEngine(cfg)
    ref.step(e.step_count)
    _same_spectra(ref, e)
