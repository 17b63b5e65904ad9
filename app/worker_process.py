"""The worker's side of the training process (core.train_process): hand the run over, relay
commands and frames while it plays, and take the run back exactly.

Owned by app.worker.TrainingWorker (one engine) or app.compare_runner.CompareRunner (a compare
group) and used on its thread only. The relay keeps the state of the process (the trainer, the
current hand-over, the edits not yet acknowledged); of the worker it uses only what its __init__
lists, and what is handed over goes through a hand-over (EngineHandover here; the compare group's
is app.compare_runner.GroupHandover).
"""

from __future__ import annotations

import threading

from ganscope.core.frame_messages import RemoteRun
from ganscope.core.session import live_state, restore_state
from ganscope.core.train_process import RemoteTrainer


class EngineHandover:
    """What the relay hands over for the single-run view: the worker's engine."""

    def __init__(self, worker):
        self.worker = worker
        self._run = RemoteRun()

    def state(self) -> dict:
        return live_state(self.worker.engine)

    def restore(self, state: dict) -> None:
        restore_state(self.worker.engine, state)

    def playable(self) -> bool:
        return self.worker.engine.status == "ok"

    def on_cpu(self) -> bool:
        return self.worker.engine.device.type == "cpu"  # CUDA runs stay in this process

    def step_count(self) -> int:
        return self.worker.engine.step_count

    def source(self, msg: dict, token):
        return self._run.source(msg, token, self.worker.skip)

    def came_back(self) -> None:
        """The process paused on its own (a lesson's end, a divergence) and its state is here."""
        self.worker.playing = False
        self.worker.publish()


class ProcessRelay:
    """Plays the worker's run in a training process and relays commands and frames meanwhile.

    Parameters
    ----------
    worker : TrainingWorker
        Its playing / speed / skip / stopping flags, its commands (app.run_commands), `publish`,
        `offer` (a frame source) and `report_error`.
    remote : RemoteTrainer
        The process (not started yet: it starts at the first Play).
    handover : EngineHandover or app.compare_runner.GroupHandover
        What is handed over and taken back (default: the worker's engine), and the frame source
        offered for each frame message.
    """

    def __init__(self, worker, remote: RemoteTrainer, handover=None):
        self.worker = worker
        self.handover = handover or EngineHandover(worker)
        self._remote: RemoteTrainer | None = remote
        self._epoch = 0  # the current hand-over to the process
        self._pending: list = []  # live edits (seq, ticket, command) not yet acknowledged
        self.remote_frames = 0  # frames that came from the training process
        self.process_ready = threading.Event()  # set once the training process has started

    @property
    def remote(self) -> RemoteTrainer | None:
        return self._remote

    @property
    def in_process(self) -> bool:
        """Whether the process is playing the run right now (a hand-over is current)."""
        return self._epoch > 0

    def ready(self) -> bool:
        """Whether the process can take the run now (it is started at the first Play)."""
        r = self._remote
        if r is not None and not r.started and self.worker.playing:
            # Started at the first Play, not with the window: a window that never trains costs
            # nothing. The process needs ~1 s to import torch; this thread trains meanwhile.
            try:
                r.start()
            except Exception as exc:  # no process (a locked-down system): train in the thread
                self._remote = None
                self.worker.report_error(RuntimeError(f"training stays in the app's process: {exc}"))
        if r is None or r.dead or not r.check_ready():
            return False
        self.process_ready.set()
        return self.handover.on_cpu()

    def play(self) -> None:
        """Hand the run over and relay frames and commands until it comes back (paused, a
        lesson's end, a divergence, a command that needs the engine here, or closing)."""
        r = self._remote
        self._epoch = r.push_state(self.handover.state(), self.worker.speed)
        r.op("frame_interval", self.worker.frame_interval)  # no more frames than the window draws
        self._pending.clear()
        while not self.worker.stopping:
            commands = self.worker.commands
            while (item := commands.take()) is not None:
                ticket, command, live = item
                if live is not None:  # the mirror keeps its config current; the process acts
                    if commands.run(command):
                        self._pending.append((r.op(*live), ticket, command))
                    elif self._pending:  # refused here (and reported): done with the edits before it
                        self._pending.append((self._pending[-1][0], ticket, None))
                    else:
                        commands.finish(ticket)
                    continue
                if not self._take_back():
                    return
                commands.run(command)
                self.worker.publish()
                commands.finish(ticket)
                if not (self.worker.playing and self.handover.playable()):
                    return
                self._epoch = r.push_state(self.handover.state(), self.worker.speed)
                r.op("frame_interval", self.worker.frame_interval)  # no more frames than the window draws
            for msg in r.receive(0.02):
                if msg[0] == "frame":
                    self._accept_frame(msg[1])
                elif msg[0] == "stopped" and msg[2]["epoch"] == self._epoch:
                    self._came_back(msg[1])
                    return
                elif msg[0] == "error":
                    self.worker.report_error(ValueError(msg[2]))
            if r.dead:
                self._lost_process()
                return
        self._epoch = 0

    def _take_back(self) -> bool:
        """Pull the process's exact state into the engine here; False if the process is gone."""
        state, others = self._remote.pull()
        for msg in others:
            if msg[0] == "frame":
                self._accept_frame(msg[1])
        if state is None:
            self._lost_process()
            return False
        self.handover.restore(state)
        self._epoch = 0
        self._finish_pending()
        return True

    def _came_back(self, data: bytes) -> None:
        """The process paused on its own (a lesson's end, a divergence): its state is the run."""
        from ganscope.core.session import state_from_bytes

        self.handover.restore(state_from_bytes(data))
        for _seq, _ticket, command in self._pending:
            if command is not None:
                self.worker.commands.run(command)  # edits it had not seen yet still count
        self._finish_pending()
        self._epoch = 0
        self.handover.came_back()

    def _finish_pending(self) -> None:
        if self._pending:
            self.worker.commands.finish(self._pending[-1][1])
            self._pending.clear()

    def _lost_process(self) -> None:
        self._epoch = 0
        self._finish_pending()  # the edits are in the engine here, which trains from now on
        self.worker.report_error(
            RuntimeError(
                f"the training process ended unexpectedly; training goes on in the app from step "
                f"{self.handover.step_count()} (the steps since the last pause are lost)"
            )
        )

    def _accept_frame(self, msg: dict) -> None:
        if msg["epoch"] != self._epoch:
            return  # left over from an earlier hand-over
        src = self.handover.source(msg, self._remote)
        while self._pending and self._pending[0][0] <= msg["acked"]:
            self.worker.commands.finish(self._pending.pop(0)[1])
        self.remote_frames += 1
        self.worker.offer(src)


def wait_idle(relay: ProcessRelay | None, wake: threading.Event) -> None:
    """A paused runner's wait (app.worker, app.compare_runner): notice the training process having
    started, so that Play hands over at once, then sleep until woken or 0.1 s."""
    if relay is not None:
        relay.ready()
    wake.wait(0.1)
    wake.clear()
