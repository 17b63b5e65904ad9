"""Frames from the training process are built on the worker's thread as they arrive (app.worker
prebuild), so that the UI thread draws a frame that is ready; never one the window will not take."""

import threading

from ganscope.app.worker import TrainingWorker
from ganscope.core.engine import GanEngine
from ganscope.core.frames import FrameSource


def _counting_builds(worker):
    threads: list[str] = []
    build = worker._builder.build

    def counted(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return build(*args, **kwargs)

    worker._builder.build = counted
    return threads


def _on_other_thread(fn) -> None:
    t = threading.Thread(target=fn, name="worker-side")
    t.start()
    t.join(60)
    assert not t.is_alive(), "prebuild did not return within 60 s"


def test_a_frame_built_on_the_worker_thread_is_the_one_the_window_draws(small_cfg):
    e = GanEngine(small_cfg)
    e.step(5)
    w = TrainingWorker(e)
    threads = _counting_builds(w)
    rings = []
    w.on_frame = lambda: rings.append(threading.current_thread().name)
    w.offer(FrameSource(e), ring=False)
    assert rings == []  # not before it is built
    _on_other_thread(w.prebuild)
    assert threads == ["worker-side"] and rings == ["worker-side"]
    fid, frame = w.latest()  # the UI thread: the frame is there, nothing is built again
    assert fid == w.frames_made() and frame.step == 5 and threads == ["worker-side"]
    assert w.prebuild_seconds > 0  # the frame budget counts it


def test_no_frame_is_built_ahead_for_a_window_that_did_not_take_the_last_one(small_cfg):
    e = GanEngine(small_cfg)
    w = TrainingWorker(e)
    threads = _counting_builds(w)
    w.offer(FrameSource(e), ring=False)
    _on_other_thread(w.prebuild)
    e.step(3)
    w.offer(FrameSource(e), ring=False)  # the window never drew the first (minimised, say)
    _on_other_thread(w.prebuild)
    assert threads == ["worker-side"]  # one build, not two
    fid, frame = w.latest()  # the window asks: it gets the newest, built on its own thread
    assert frame.step == 3 and fid == w.frames_made() and threads == ["worker-side", "MainThread"]
