"""The worker's side of the training process (core.train_process): hand the run over, relay
commands and frames while it plays, and take the run back exactly.

A mixin of app.worker.TrainingWorker, run on its thread only.
"""
from __future__ import annotations

import queue

from core.config import GanConfig
from core.session import restore_state
from core.train_process import RemoteFrameSource


class ProcessRelay:
    def _remote_ready(self) -> bool:
        r = self._remote
        if r is not None and not r.started and self.playing:
            # Started at the first Play, not with the window: a window that never trains costs
            # nothing. The process needs ~1 s to import torch; this thread trains meanwhile.
            try:
                r.start()
            except Exception as exc:  # no process (a locked-down system): train in the thread
                self._remote = None
                if self._on_error:
                    self._on_error(RuntimeError(f"training stays in the app's process: {exc}"))
        if r is None or r.dead or not r.check_ready():
            return False
        self.process_ready.set()
        return self.engine.device.type == "cpu"  # CUDA runs stay in this process

    def _play_in_process(self) -> None:
        """Hand the run over and relay frames and commands until it comes back (paused, a
        lesson's end, a divergence, a command that needs the engine here, or closing)."""
        r = self._remote
        self._epoch = r.push(self.engine, self.speed)
        r.op("frame_interval", self.frame_interval)  # no more frames than the window draws
        self._pending.clear()
        while not self._stop:
            while True:
                try:
                    ticket, command, live = self._commands.get_nowait()
                except queue.Empty:
                    break
                if live is not None:  # the mirror keeps its config current; the process acts
                    if self._run_command(command):
                        self._pending.append((r.op(*live), ticket, command))
                    elif self._pending:  # refused here (and reported): done with the edits before it
                        self._pending.append((self._pending[-1][0], ticket, None))
                    else:
                        self._done_id = ticket
                    continue
                if not self._take_back():
                    return
                self._run_command(command)
                self._publish()
                self._done_id = ticket
                if not (self.playing and self.engine.status == "ok"):
                    return
                self._epoch = r.push(self.engine, self.speed)
                r.op("frame_interval", self.frame_interval)
            for msg in r.receive(0.02):
                if msg[0] == "frame":
                    self._accept_frame(msg[1])
                elif msg[0] == "stopped" and msg[2]["epoch"] == self._epoch:
                    self._came_back(msg[1])
                    return
                elif msg[0] == "error" and self._on_error:
                    self._on_error(ValueError(msg[2]))
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
        restore_state(self.engine, state)
        self._epoch = 0
        self._finish_pending()
        return True

    def _came_back(self, data: bytes) -> None:
        """The process paused on its own (a lesson's end, a divergence): its state is the run."""
        from core.session import state_from_bytes
        restore_state(self.engine, state_from_bytes(data))
        for _seq, _ticket, command in self._pending:
            if command is not None:
                self._run_command(command)  # edits it had not seen yet still count
        self._finish_pending()
        self._epoch = 0
        self.playing = False
        self._publish()

    def _finish_pending(self) -> None:
        if self._pending:
            self._done_id = max(self._done_id, self._pending[-1][1])
            self._pending.clear()

    def _lost_process(self) -> None:
        self._epoch = 0
        self._finish_pending()  # the edits are in the engine here, which trains from now on
        if self._on_error:
            self._on_error(RuntimeError(
                f"the training process ended unexpectedly; training goes on in the app from step "
                f"{self.engine.step_count} (the steps since the last pause are lost)"))

    def _accept_frame(self, msg: dict) -> None:
        if msg["epoch"] != self._epoch:
            return  # left over from an earlier hand-over
        if msg["cfg"] is not None:
            self._remote_cfg = GanConfig.from_json(msg["cfg"])
        if msg["charts"] is not None:
            self._charts = msg["charts"]
        if msg["detections"] is not None:
            self._detections = msg["detections"]
        while self._pending and self._pending[0][0] <= msg["acked"]:
            self._done_id = max(self._done_id, self._pending.pop(0)[1])
        self.remote_frames += 1
        self._set_latest(RemoteFrameSource(msg, self._remote_cfg, self._remote, self.skip,
                                           self._charts, self._detections))
