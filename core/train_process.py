"""Training in a process of its own, so that drawing and training never wait for one GIL.

In one process, the app's painting (pyqtgraph holds the GIL for ~11 ms a frame) and the training
thread took turns: the app drew 22 fps and kept 45% of headless speed on 2 cores. Here the
training loop runs in a child process started with 'spawn' (never 'fork': the parent runs Qt
threads) that imports no Qt. It receives the run as a `live_state` and sends back, at most 30
times a second, only what a frame needs: the players' weights, metrics, and now and then the chart
data and detector verdicts (core.frame_messages). What it plays is one engine (the single-run view)
or a compare group of 2-4 (core.compare_process), chosen by the state it is handed.

Ownership is simple: while the child plays, it owns the run; the parent's engine is a mirror that
receives the same cheap edits (learning rates, freezes, target edits) so its config stays current.
Anything else (saving, a lesson, a reset, pausing) first pulls the child's exact state back into
the parent's engine. A run continues bit-identically whichever side trains it (tested).

Messages, parent -> child: ("load", state bytes, speed, seq), ("op", seq, name, args),
("pull", seq), ("quit",). Child -> parent: ("ready", info), ("frame", dict), ("state", bytes,
pull seq), ("stopped", bytes, frame dict), ("error", op seq, text). Frames carry the seq of the
last op applied ("acked") and of the load they continue ("epoch").
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import sys
import threading
import time

from .frame_messages import FrameMessages
from .play import CHUNK_SECONDS, LIVE_OPS, FramePacer, play, play_chunks
from .run_loop import TimedChunks
from .spectrum_background import BackgroundSpectra
from .speed_meter import CpuRate

FRAME_INTERVAL = 1 / 40  # frames for the screen 40 times a second: drawing has a core of its own
# here, and the screen shows what it has time for (30+ fps measured)


class RemoteTrainer:
    """The parent's handle on one training process (commands from one thread).

    Two one-way pipes, and a reader thread that empties the child's pipe as messages arrive: a
    frame is larger than a pipe's buffer, so a child sending one while the parent was itself
    sending (a drawn target, a run being handed over) or no longer reading (closing) would wait
    for ever, and the parent with it.
    """

    def __init__(self):
        ctx = mp.get_context("spawn")
        self._child_in, self._out = ctx.Pipe(duplex=False)  # parent -> child
        self._in, self._child_out = ctx.Pipe(duplex=False)  # child -> parent
        widen_pipe(self._in)
        self._proc = ctx.Process(
            target=child_main, args=(self._child_in, self._child_out), name="ganscope-training", daemon=True
        )
        self._inbox: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, name="ganscope-training-reader", daemon=True)
        self.started = False
        self.ready = False
        self.info: dict = {}
        self.dead = False
        self._seq = 0
        self._quit_sent = False
        self._send_lock = threading.Lock()  # 'quit' may come from another thread than the commands

    def start(self) -> None:
        self.started = True
        try:
            self._proc.start()
        except Exception:
            self.dead = True
            raise
        for conn in (self._child_in, self._child_out):
            conn.close()  # the child holds these now; EOF then means the child is gone
        self._reader.start()

    def _read(self) -> None:
        try:
            while True:
                self._inbox.put(self._in.recv())
        except (EOFError, OSError):
            self.dead = True
            self._inbox.put(None)  # wakes a waiting receive()
        # EOF: the child has closed its end, so it is exiting. Reaping it here, not on the UI
        # thread, lets a closing window go away at once (it waited 1-1.5 s for the join).
        self._proc.join()

    def check_ready(self, timeout: float = 0.0) -> bool:
        """Whether the child has started, waiting up to `timeout` seconds for it."""
        if self.started and not self.ready and not self.dead:
            for msg in self.receive(timeout):
                if msg[0] == "ready":
                    self.ready, self.info = True, msg[1]
        return self.ready

    def push(self, engine, speed: int) -> int:
        """Hand the run to the child, which starts playing it. Returns the hand-over's number:
        frames carry it, so frames left over from an earlier hand-over can be told apart."""
        from .session import live_state

        return self.push_state(live_state(engine), speed)

    def push_state(self, state: dict, speed: int) -> int:
        """push() of a state: an engine's live_state, or a compare group's (core.compare_process)."""
        from .session import state_to_bytes

        self._seq += 1
        self._send(("load", state_to_bytes(state), speed, self._seq))
        return self._seq

    def op(self, name: str, *args) -> int:
        """Send a live edit; returns its number, which frames acknowledge once it is applied."""
        self._seq += 1
        self._send(("op", self._seq, name, args))
        return self._seq

    def pull(self, timeout: float = 60.0) -> tuple[dict | None, list]:
        """Take the run back: the child pauses and sends its exact state. Returns (state or None
        if the child is gone, the other messages that arrived first). A child that does not
        answer within `timeout` is ended: the caller then trains on from its own copy.

        60 s, not 10: on a busy 2-core machine (load 15) a live child, its first run just handed
        over, left a pull unanswered for 10 s, and the app reported it as ended."""
        from .session import state_from_bytes

        self._seq += 1
        self._send(("pull", self._seq))
        others: list = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.dead:
            for msg in self.receive(0.05):
                if msg[0] == "state" and msg[2] == self._seq:  # the answer to this pull, not an old one
                    return state_from_bytes(msg[1]), others
                others.append(msg)
        self.dead = True
        if self.started and self._proc.is_alive():
            self._proc.terminate()  # hung: never left running beside the training that goes on here
        return None, others

    def receive(self, timeout: float) -> list:
        """Every message waiting, after waiting up to `timeout` seconds for the first."""
        out = []
        try:
            msg = self._inbox.get(timeout=timeout) if timeout > 0 else self._inbox.get_nowait()
            while True:
                if msg is not None:
                    out.append(msg)
                msg = self._inbox.get_nowait()
        except queue.Empty:
            return out

    def request_close(self) -> None:
        """Tell the child to quit and return at once: it finishes its chunk, exits with code 0,
        and the reader thread reaps it. Safe to call more than once."""
        if self._quit_sent:
            return
        self._quit_sent = True
        self._send(("quit",))
        if not self.started:
            for conn in (self._child_in, self._child_out):
                conn.close()

    def wait_closed(self, timeout: float = 1.0) -> int | None:
        """Wait up to `timeout` seconds for the child to exit, then terminate it (an app that is
        exiting leaves nothing behind). Returns the child's exit code (None if never started)."""
        self.request_close()
        if self._reader.ident is not None:  # only the reader reaps: one waitpid, no race
            self._reader.join(timeout)  # it keeps draining, so the child is never stuck
            for end in (self._proc.terminate, self._proc.kill):  # kill: even a stopped process
                if self._reader.is_alive():
                    end()
                    self._reader.join(timeout)
        with self._send_lock:
            self._out.close()
        self.dead = True
        return self._proc.exitcode if self.started else None

    def close(self, timeout: float = 1.0) -> None:
        """Quit and wait (at most about 2 x timeout): request_close() then wait_closed()."""
        self.wait_closed(timeout)

    @property
    def pid(self) -> int | None:
        return self._proc.pid

    def _send(self, msg) -> None:
        if self.dead or not self.started:
            return
        try:
            with self._send_lock:
                self._out.send(msg)
        except (OSError, ValueError, BrokenPipeError):
            self.dead = True


PIPE_BYTES = 1 << 20  # room in the child -> parent pipe: several frames (a lesson's frame is ~140 kB)


def widen_pipe(conn, size: int = PIPE_BYTES) -> int:
    """Give a pipe room for whole frames; returns its size in bytes (0 where it cannot be told).

    A frame (~140 kB for the default players) is larger than a pipe's default 64 kB: the child's
    send then waited, in pieces, until the parent's reader thread had taken the rest, and that
    thread needs the parent's GIL, which the UI thread holds while it paints. Profiled in lesson 7a
    (py-spy, wall time): 8% of the training process's time went to such waits. Linux only; a
    refusal (a size above /proc/sys/fs/pipe-max-size) keeps the pipe as it was."""
    try:
        import fcntl

        fd = conn.fileno()
        try:
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, size)
        except OSError:
            pass
        return fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ)
    except (ImportError, AttributeError, OSError, ValueError):
        return 0


# --- the child ------------------------------------------------------------------------------------
def child_main(conn_in, conn_out) -> None:
    """The training process: plays the run it was given until told to stop or to hand it back."""
    _ChildLoop(conn_in, conn_out).run()
    # Straight out: the interpreter's teardown with torch loaded took 1.5-3.5 s on a busy 2-core
    # machine, and this process has nothing to flush or save (its results went down the pipe).
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    conn_out.close()
    os._exit(0)


class EngineSubject:
    """What the child plays for the single-run view: one engine (a compare group is
    core.compare_process.GroupSubject, with the same methods)."""

    chunk_seconds = CHUNK_SECONDS  # how long one call trains at full speed (core.play)

    def __init__(self, state: dict, spectra: BackgroundSpectra | None = None):
        from .config import GanConfig
        from .engine import GanEngine

        self.engine = GanEngine(GanConfig.from_json(state["config"]))
        self.engine.spectrum.background = spectra  # the game's spectrum beside training, not in its way
        self.frames = FrameMessages()
        self.load(state)

    def load(self, state: dict) -> None:
        from .session import restore_state

        restore_state(self.engine, state)
        self.frames.cfg_dirty = True

    @property
    def ok(self) -> bool:
        return self.engine.status == "ok"

    @property
    def step_count(self) -> int:
        return self.engine.step_count

    def play(self, speed: int, due: float, chunks: TimedChunks, interrupted) -> bool:
        return play(self.engine, speed, due, chunks, interrupted, until_due=True)  # only CPU runs come here

    def apply(self, name: str, args: tuple) -> None:
        if name not in LIVE_OPS:
            raise ValueError(f"not a live edit: {name}")
        getattr(self.engine, name)(*args)
        self.frames.cfg_dirty = True

    def state(self) -> dict:
        from .session import live_state

        return live_state(self.engine)

    def frame(self, force_all: bool) -> dict:
        return self.frames.message(self.engine, force_all)


def subject_for(state: dict, spectra: BackgroundSpectra | None = None):
    """The child's subject for a handed-over state: a compare group's (core.compare_process) or an
    engine's. Only a single run's spectrum goes to `spectra`: the background thread serves one engine."""
    from .compare_process import GroupSubject, is_group_state

    return GroupSubject(state) if is_group_state(state) else EngineSubject(state, spectra)


class _ChildLoop:
    def __init__(self, conn_in, conn_out):
        self.conn, self.out = conn_in, conn_out
        self.subject = None  # what plays: an EngineSubject, or a compare group's GroupSubject
        self.playing = False
        self.speed = 0
        self.acked = 0
        self.chunks = play_chunks()
        self.epoch = 0
        self._pacer = FramePacer()  # when the next frame is due
        self.frame_interval = FRAME_INTERVAL  # the app asks for fewer frames when it draws fewer
        self.cpu_rate = CpuRate()
        self.spectra = BackgroundSpectra()  # the game's spectrum beside training, not in its way

    def run(self) -> None:
        import torch

        from .torch_startup import skip_dynamo_import

        torch.set_num_threads(1)  # one core trains; the other draws (this process's own setting)
        skip_dynamo_import()
        self.out.send(("ready", {"qt_loaded": any(m.startswith("PySide6") for m in sys.modules)}))
        try:
            while self._handle_messages():
                if self.playing:
                    self._train()
        except (EOFError, OSError, KeyboardInterrupt):
            pass  # the parent is gone: so is this process

    def _handle_messages(self) -> bool:
        timeout = 0 if self.playing else None  # idle: sleep until the parent says something
        while self.conn.poll(timeout):
            timeout = 0
            msg = self.conn.recv()
            kind = msg[0]
            if kind == "quit":
                return False
            if kind == "load":
                self._load(msg[1])
                self.speed, self.epoch = msg[2], msg[3]
                self.playing = self.subject.ok
                self._send_frame(force=True)
            elif kind == "op":
                _seq, name, args = msg[1], msg[2], msg[3]
                try:
                    self._apply(name, args)
                except Exception as exc:  # a refused edit never stops training
                    self.out.send(("error", _seq, f"{type(exc).__name__}: {exc}"))
                self.acked = _seq
                self._send_frame(force=True)
            elif kind == "pull":
                self.playing = False
                self.out.send(("state", self._state_bytes(), msg[1]))
        return True

    def _load(self, data: bytes) -> None:
        from .session import state_from_bytes

        state = state_from_bytes(data)
        if self.subject is None:
            self.subject = subject_for(state, self.spectra)  # one kind per process: a window hands over its own kind
            self.chunks = play_chunks(self.subject.chunk_seconds)
        else:
            self.subject.load(state)

    def _state_bytes(self) -> bytes:
        from .session import state_to_bytes

        return state_to_bytes(self.subject.state())

    def _apply(self, name: str, args: tuple) -> None:
        if name == "speed":
            self.speed = max(0, int(args[0]))
        elif name == "frame_interval":
            self.frame_interval = min(1.0, max(FRAME_INTERVAL, float(args[0])))
        else:
            self.subject.apply(name, args)

    def _train(self) -> None:
        s = self.subject
        self.cpu_rate.begin(s.step_count)
        stopped = s.play(self.speed, self._pacer.due, self.chunks, lambda: self.conn.poll(0))
        self.cpu_rate.end(s.step_count, self.spectra.take_cpu())  # headless speed counts the spectrum
        if self.speed > 0 and not stopped:
            wait = self._pacer.due - time.perf_counter()
            if wait > 0:
                self.conn.poll(wait)  # sleeps, but wakes for a message
        if stopped or not s.ok:  # a lesson's end or a divergence: pause and hand it back
            self.playing = False
            self.out.send(("stopped", self._state_bytes(), self._frame(force_all=True)))
            return
        self._send_frame()

    def _send_frame(self, force: bool = False) -> None:
        now = time.perf_counter()
        if force or now >= self._pacer.due:
            self.out.send(("frame", self._frame(force_all=force)))
            self._pacer.sent(now, self.frame_interval)

    def _frame(self, force_all: bool = False) -> dict:
        msg = self.subject.frame(force_all)
        msg.update(acked=self.acked, epoch=self.epoch, cpu_its=self.cpu_rate.rate())
        return msg
