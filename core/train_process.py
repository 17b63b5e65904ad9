"""Training in a process of its own, so that drawing and training never wait for one GIL.

In one process, the app's painting (pyqtgraph holds the GIL for ~11 ms a frame) and the training
thread took turns: the app drew 22 fps and kept 45% of headless speed on 2 cores. Here the
training loop runs in a child process started with 'spawn' (never 'fork': the parent runs Qt
threads) that imports no Qt. It receives the run as a `live_state` and sends back, at most 30
times a second, only what a frame needs: the players' weights, metrics, and now and then the chart
data and detector verdicts.

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
import queue
import sys
import threading
import time

import numpy as np

FRAME_INTERVAL = 1 / 40   # frames for the screen 40 times a second: drawing has a core of its own
                          # here, and the screen shows what it has time for (30+ fps measured)
CHART_INTERVAL = 0.2      # chart data 5 times a second: the charts redraw at 5 fps
DETECT_INTERVAL = 0.5     # detector verdicts twice a second
CHUNK_SECONDS = 0.01      # each engine call at full speed trains for about this long: 5 default
                          # iterations, 1 of a 5-step unrolled one (a fixed 5 made that one's
                          # frames 63 ms apart: 17 fps)


def next_chunk(ran: int, seconds: float) -> int:
    """Iterations for the next engine call, from how long the last `ran` took."""
    if ran <= 0 or seconds <= 0:
        return 1
    return max(1, min(50, int(CHUNK_SECONDS * ran / seconds)))


def train_until(engine, due: float, chunk: int, interrupted) -> tuple[bool, int]:
    """Full-speed play until the frame due at `due` (perf_counter) or until `interrupted()`, in
    calls of about CHUNK_SECONDS. Returns (whether the engine stopped: a lesson's end or a
    divergence, the chunk size for next time). Shared by the training process and the app's
    in-thread fallback."""
    while time.perf_counter() < due and not interrupted():
        start = time.perf_counter()
        ran = engine.step(chunk)
        if ran == 0:
            return True, chunk
        chunk = next_chunk(ran, time.perf_counter() - start)
    return False, chunk


def next_due(due: float, now: float, interval: float) -> float:
    """The next frame time on a steady clock: a chunk's overshoot is taken from the next interval
    (frames due "an interval after the last one" came late by a chunk and their own cost: 22/s
    instead of 30); after a stall longer than an interval, the clock starts over."""
    return due + interval if now - due < interval else now + interval

# Edits the child carries out as they come, while it trains (each a GanEngine method).
LIVE_OPS = ("update", "update_many", "freeze", "resume", "clear_script")


class RemoteTrainer:
    """The parent's handle on one training process (commands from one thread).

    Two one-way pipes, and a reader thread that empties the child's pipe as messages arrive: a
    frame is larger than a pipe's buffer, so a child sending one while the parent was itself
    sending (a drawn target, a run being handed over) or no longer reading (closing) would wait
    for ever, and the parent with it.
    """

    def __init__(self):
        ctx = mp.get_context("spawn")
        self._child_in, self._out = ctx.Pipe(duplex=False)   # parent -> child
        self._in, self._child_out = ctx.Pipe(duplex=False)   # child -> parent
        self._proc = ctx.Process(target=child_main, args=(self._child_in, self._child_out),
                                 name="ganscope-training", daemon=True)
        self._inbox: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, name="ganscope-training-reader", daemon=True)
        self.started = False
        self.ready = False
        self.info: dict = {}
        self.dead = False
        self._seq = 0

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
        from .session import live_state, state_to_bytes
        self._seq += 1
        self._send(("load", state_to_bytes(live_state(engine)), speed, self._seq))
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
        others, deadline = [], time.monotonic() + timeout
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

    def close(self, timeout: float = 1.0) -> None:
        self._send(("quit",))
        if self.started and self._proc.pid is not None:
            self._proc.join(timeout)  # the reader keeps draining, so the child is never stuck
            if self._proc.is_alive():
                self._proc.terminate()
                self._proc.join(timeout)
        else:
            for conn in (self._child_in, self._child_out):
                conn.close()
        self._out.close()
        self.dead = True

    @property
    def pid(self) -> int | None:
        return self._proc.pid

    def _send(self, msg) -> None:
        if self.dead or not self.started:
            return
        try:
            self._out.send(msg)
        except (OSError, ValueError, BrokenPipeError):
            self.dead = True


# --- the child ------------------------------------------------------------------------------------
def child_main(conn_in, conn_out) -> None:
    """The training process: plays the run it was given until told to stop or to hand it back."""
    _ChildLoop(conn_in, conn_out).run()


class _ChildLoop:
    def __init__(self, conn_in, conn_out):
        self.conn, self.out = conn_in, conn_out
        self.engine = None
        self.playing = False
        self.speed = 0
        self.acked = 0
        self.chunk = 1
        self.epoch = 0
        self.struct = 0
        self._struct_key = None
        self._cfg_dirty = True
        self._last = {"charts": 0.0, "detect": 0.0}
        self._due = 0.0  # when the next frame is due (see next_due)
        self._detections: dict = {}

    def run(self) -> None:
        import torch
        torch.set_num_threads(1)  # one core trains; the other draws
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
                self.playing = self.engine.status == "ok"
                self._send_frame(force=True)
            elif kind == "op":
                _seq, name, args = msg[1], msg[2], msg[3]
                try:
                    self._apply(name, args)
                except Exception as exc:  # a refused edit never stops training
                    self.out.send(("error", _seq, f"{type(exc).__name__}: {exc}"))
                self.acked = _seq
                self._cfg_dirty = True
                self._send_frame(force=True)
            elif kind == "pull":
                from .session import live_state, state_to_bytes
                self.playing = False
                self.out.send(("state", state_to_bytes(live_state(self.engine)), msg[1]))
        return True

    def _load(self, data: bytes) -> None:
        from .config import GanConfig
        from .engine import GanEngine
        from .session import restore_state, state_from_bytes
        state = state_from_bytes(data)
        if self.engine is None:
            self.engine = GanEngine(GanConfig.from_json(state["config"]))
        restore_state(self.engine, state)
        self._cfg_dirty = True

    def _apply(self, name: str, args: tuple) -> None:
        if name == "speed":
            self.speed = max(0, int(args[0]))
        elif name in LIVE_OPS:
            getattr(self.engine, name)(*args)
        else:
            raise ValueError(f"not a live edit: {name}")

    def _train(self) -> None:
        e = self.engine
        stopped = False
        if self.speed > 0:
            stopped = e.step(self.speed) == 0
            wait = self._due - time.perf_counter()
            if wait > 0 and not stopped:
                self.conn.poll(wait)  # sleeps, but wakes for a message
        else:  # until the next frame is due, leaving at once for a message
            stopped, self.chunk = train_until(e, self._due, self.chunk, lambda: self.conn.poll(0))
        if stopped or e.status != "ok":  # a lesson's end or a divergence: pause and hand it back
            from .session import live_state, state_to_bytes
            self.playing = False
            self.out.send(("stopped", state_to_bytes(live_state(e)), self._frame(force_all=True)))
            return
        self._send_frame()

    def _send_frame(self, force: bool = False) -> None:
        now = time.perf_counter()
        if force or now >= self._due:
            self.out.send(("frame", self._frame(force_all=force)))
            self._due = next_due(self._due, now, FRAME_INTERVAL)

    def _frame(self, force_all: bool = False) -> dict:
        from .chart_data import chart_snapshot
        from .frames import same_key
        e, now = self.engine, time.perf_counter()
        key = (e.G, e.D, e.target, e.view_version)
        if self._struct_key is None or not same_key(key, self._struct_key):
            self.struct += 1
            self._struct_key = key
            self._cfg_dirty = True
        msg = {
            "step": e.step_count, "status": e.status, "message": e.message, "metrics": e.metrics(),
            "weights": {name: {k: v.detach().cpu().numpy().copy() for k, v in m.state_dict().items()}
                        for name, m in (("G", e.G), ("D", e.D))},
            "struct": self.struct, "acked": self.acked, "epoch": self.epoch,
            "cfg": e.cfg.to_json(indent=None) if self._cfg_dirty else None,
            "charts": None, "detections": None,
        }
        self._cfg_dirty = False
        if force_all or now - self._last["charts"] >= CHART_INTERVAL:
            msg["charts"] = chart_snapshot(e)
            self._last["charts"] = now
        if force_all or now - self._last["detect"] >= DETECT_INTERVAL:
            self._detections = e.detections()
            self._last["detect"] = now
            msg["detections"] = self._detections
        return msg


class RemoteFrameSource:
    """A FrameSource (core.frames) made from a child's frame message, for FrameBuilder."""

    def __init__(self, msg: dict, cfg, trainer_token, skip: frozenset, charts: dict,
                 detections: dict | None):
        import torch
        self.key = (trainer_token, msg["struct"])
        self.device = torch.device("cpu")
        self.target = None  # the builder rebuilds it from the config, as the child did
        self.weights = {name: {k: torch.from_numpy(np.asarray(v)) for k, v in w.items()}
                        for name, w in msg["weights"].items()}
        self.cfg = cfg
        self.step_count, self.status, self.message = msg["step"], msg["status"], msg["message"]
        self.metrics = msg["metrics"]
        self.manual_grad = True
        self.skip = skip  # the parent builds the frame, so its own choice of layers applies
        self.charts = charts
        self.detections = detections
