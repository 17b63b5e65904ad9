"""A CPU sweep's members split across worker processes of one torch thread each.

Why: on a 2-core CPU the sweep's ~3,300 small batched ops per iteration gained only ~1.6x from two
intra-op threads (each op waits for the other thread, and on a busy machine for a descheduled one),
so a 16-member WGAN-GP sweep on both cores ran at 1.88x sixteen one-thread engine runs. Two
processes, each training its share of the members on its own thread, meet only once a chunk (the
metric rows) and at the end (the weights and optimiser states).

Each worker holds a whole Ensemble narrowed to its members (Ensemble.keep_members): it draws every
member's samples from the sweep's one generator, as one process would, and keeps its own, so every
member's weights are bit for bit those of the one-process sweep (tested). Drawing all samples twice
costs little: sampling is a few percent of an iteration.

`ProcessSweep` is a trainer for core.run_loop (`step(n)`); `close()` brings the states back into
the Ensemble, whose `evaluate()` and `member_engine()` then work as after a one-process sweep, and
ends the workers. Workers ignore SIGINT (a terminal's Ctrl-C reaches the whole process group; the
parent decides when to stop) and leave when their pipe closes, so none outlives the parent.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import threading
import weakref
from contextlib import contextmanager

import numpy as np
import torch

JOIN_SECONDS = 10.0  # a worker told to close has this long before it is terminated


def shares(members: int, processes: int) -> list[tuple[int, int]]:
    """Contiguous (lo, hi) ranges of members, as even as can be, at most one per process, each of two
    members or more: a share of one reduces its metric row's means another way (torch collapses a
    (1, n) mean to one vector; d_loss then differed in its last bit), so its bits would not be those
    of one process. One range: nothing to split."""
    k = max(1, min(processes, members // 2))
    edges = [members * i // k for i in range(k + 1)]
    return list(zip(edges[:-1], edges[1:]))


class WorkerError(RuntimeError):
    """A worker failed or ended; the message says which members it trained and why."""


class _Worker:
    def __init__(self, ctx, configs: list[dict], lo: int, hi: int, device: str, hand_written: bool | None):
        self.lo, self.hi = lo, hi
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=worker_main,
            args=(child, configs, lo, hi, device, hand_written),
            name=f"ganscope-sweep-{lo}-{hi - 1}",
            daemon=True,  # ended with the parent's interpreter, whatever happens
        )
        with _sigint_ignored():  # inherited through exec: a Ctrl-C during its start-up is the parent's
            self.proc.start()
        child.close()

    def send(self, msg: tuple) -> None:
        try:
            self.conn.send(msg)
        except (OSError, ValueError) as exc:
            raise WorkerError(f"{self.name}: ended unexpectedly (exit code {self.proc.exitcode}) {exc}") from None

    def reply(self, kind: str):
        try:
            got, value = self.conn.recv()
        except (EOFError, OSError) as exc:
            code = self.proc.exitcode
            raise WorkerError(f"{self.name}: ended unexpectedly (exit code {code}) {exc}".rstrip()) from None
        if got == "error":
            raise WorkerError(f"{self.name}: {value}")
        if got != kind:
            raise WorkerError(f"{self.name}: answered {got!r} where {kind!r} was due")
        return value

    @property
    def name(self) -> str:
        return f"the sweep worker for members {self.lo}-{self.hi - 1}"


class ProcessSweep:
    """Trains `ens`'s members in worker processes of one torch thread each, as many as `shares`
    gives for `processes`."""

    def __init__(self, ens, processes: int):
        self.ens = ens
        configs = [c.to_dict() for c in ens.configs]
        hand_written = ens.batched.manual is not None
        ctx = mp.get_context("spawn")  # fork would copy torch's thread pools and any Qt state
        self.workers: list[_Worker] = []
        self._finalizer = weakref.finalize(self, _reap, self.workers)
        self._chunk: list[np.ndarray | None] = []  # the running chunk's rows, per worker, as they come
        self._due = 0  # the running chunk's iterations
        self.failed = False  # a worker failed or ended: the members' states cannot come back whole
        try:
            for lo, hi in shares(ens.M, processes):
                self.workers.append(_Worker(ctx, configs, lo, hi, str(ens.device), hand_written))
            for w in self.workers:
                w.reply("ready")
        except BaseException:
            self._finalizer()
            raise

    status = "ok"

    @property
    def step_count(self) -> int:
        return self.ens.step_count

    def step(self, n: int) -> None:
        """n iterations of every member; their rows join the Ensemble's history as one chunk."""
        try:
            for w in self.workers:
                w.send(("step", n))
            self._chunk, self._due = [None] * len(self.workers), n
            self._finish_chunk()
        except WorkerError:
            self.failed, self._chunk = True, []
            raise

    def _finish_chunk(self) -> None:
        # Also called by close(): a Ctrl-C that interrupted the wait left the chunk running in the
        # workers; its rows are still read, so the history and the states pulled back agree.
        for i, w in enumerate(self.workers):
            if self._chunk[i] is None:
                self._chunk[i] = w.reply("rows")
        self.ens.history.append(np.concatenate(self._chunk, axis=1))  # type: ignore[arg-type]
        self.ens.step_count += self._due
        self._chunk = []

    def close(self) -> None:
        """The members' weights and optimiser states into the Ensemble, then every worker ended.
        Always ends the workers, also when bringing the states back fails; once only (then nothing).
        After a failed step (which raised) the workers are only ended: the Ensemble keeps its states."""
        if not self.workers or self.failed:
            self._finalizer()
            return
        try:
            if self._chunk:
                self._finish_chunk()
            for w in self.workers:
                w.send(("state", None))
            parts = [w.reply("state") for w in self.workers]
            self._adopt(parts)
        finally:
            self._finalizer()

    def _adopt(self, parts: list[dict]) -> None:
        ens = self.ens
        dev = ens.device
        cat = lambda arrays: torch.cat([torch.from_numpy(a) for a in arrays]).to(dev)  # noqa: E731
        ens.G = [cat([p["G"][i] for p in parts]) for i in range(len(ens.G))]
        ens.D = [cat([p["D"][i] for p in parts]) for i in range(len(ens.D))]
        for key in ("opt_g", "opt_d"):
            state = getattr(ens, key)
            setattr(
                ens,
                key,
                {
                    k: cat([p[key][k] for p in parts])
                    if k == "step"
                    else [cat([p[key][k][i] for p in parts]) for i in range(len(v))]
                    for k, v in state.items()
                },
            )


def _reap(workers: list[_Worker]) -> None:
    """Every worker ended: asked to close, then terminated, then killed (each with a deadline)."""
    for w in workers:
        try:
            w.conn.send(("close", None))
        except (OSError, ValueError):
            pass
    for w in workers:
        for end in (None, w.proc.terminate, w.proc.kill):
            if end is not None:
                end()
            w.proc.join(JOIN_SECONDS if end is None else 2.0)
            if w.proc.exitcode is not None:
                break
        w.conn.close()
    workers.clear()


@contextmanager
def _sigint_ignored():
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


# --- the worker -------------------------------------------------------------------------------------
def worker_main(conn, configs: list[dict], lo: int, hi: int, device: str, hand_written: bool | None) -> None:
    """One worker: members lo..hi-1 of the sweep, trained on one torch thread, until told to close
    or its pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(1)  # this process's own setting: it does nothing else
    _keep_freed_memory()
    try:
        from .config import GanConfig
        from .ensemble import Ensemble

        ens = Ensemble([GanConfig.from_dict(c) for c in configs], device=device, threads=1, hand_written=hand_written)
        ens.keep_members(lo, hi)
        conn.send(("ready", None))
    except Exception as exc:
        _send(conn, ("error", f"could not start: {type(exc).__name__}: {exc}"))
        os._exit(1)
    while True:
        try:
            kind, value = conn.recv()
        except (EOFError, OSError):
            break  # the parent is gone
        try:
            if kind == "step":
                ens.step(int(value))
                reply: tuple = ("rows", ens.history.pop())
            elif kind == "state":
                reply = ("state", _state(ens))
            else:
                break
        except Exception as exc:
            reply = ("error", f"{type(exc).__name__}: {exc}")
        if not _send(conn, reply):
            break
    conn.close()
    os._exit(0)  # nothing to flush or save; torch's interpreter teardown took seconds on a busy machine


def _keep_freed_memory() -> None:
    """glibc hands an iteration's large temporaries (1-4 MB each) back to the kernel and faults them
    in again the next time: ~3,700 page faults and ~7 ms of system time per 8-member WGAN-GP iteration
    of ~75 ms here, none with these settings (~40 faults). This process's own allocator only (it
    does nothing else); skipped where the C library has no mallopt."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: keep up to 1 GiB of freed heap
    mallopt(-2, 64 << 20)  # M_TOP_PAD: grow the heap 64 MiB at a time
    mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: blocks up to 32 MiB (glibc's most) from the heap


def _send(conn, msg) -> bool:
    try:
        conn.send(msg)
        return True
    except (OSError, ValueError):
        return False


def _state(ens) -> dict:
    arr = lambda t: t.detach().cpu().numpy()  # noqa: E731
    out: dict = {"G": [arr(p) for p in ens.G], "D": [arr(p) for p in ens.D]}
    for key in ("opt_g", "opt_d"):
        out[key] = {k: arr(v) if k == "step" else [arr(t) for t in v] for k, v in getattr(ens, key).items()}
    return out
