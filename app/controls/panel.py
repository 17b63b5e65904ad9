"""The control panel: every knob of the run, each showing its value and unit.

The panel knows nothing of the engine: it calls `update(path, value)` for config changes and
`action(name)` for buttons, and `sync(cfg)` pushes the model's values back without echoes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

from ganscope.app.wheel_guard import guard_wheel
from ganscope.core.config import ACTIVATIONS, INITS, LOSSES, NOISE_KINDS, NORMS, GanConfig
from ganscope.core.presets import preset_description, preset_names

from ..views.plane import LAYERS
from .mixture_table import MixtureTable
from .widgets import LogSlider, show_state, spin

SPEEDS = [("1 it/frame", 1), ("5 it/frame", 5), ("20 it/frame", 20), ("100 it/frame", 100), ("max", 0)]


class ControlPanel(QtWidgets.QWidget):
    def __init__(
        self,
        update: Callable[[str, object], None],
        action: Callable[[str], None],
        layer: Callable[[str, bool], None],
        parent=None,
    ):
        super().__init__(parent)
        self._update, self._action, self._layer = update, action, layer
        self.fields: dict[str, QtWidgets.QWidget] = {}
        self.buttons: dict[str, QtWidgets.QAbstractButton] = {}
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self._training_group())
        layout.addWidget(self._players_group())
        layout.addWidget(self._objective_group())
        layout.addWidget(self._models_group())
        layout.addWidget(self._target_group())
        layout.addWidget(self._layers_group())
        layout.addStretch(1)
        guard_wheel(self)  # scrolling the panel never turns a knob

    # --- groups -------------------------------------------------------------------------------
    def _training_group(self):
        box = QtWidgets.QGroupBox("Training")
        grid = QtWidgets.QGridLayout(box)
        play = self._button("play", "Play", "Start / pause training (Space)", checkable=True, on_text="Pause")
        grid.addWidget(play, 0, 0, 1, 2)
        grid.addWidget(self._button("step", "Step", "One iteration: D then G (S)"), 0, 2)
        grid.addWidget(self._button("step_d", "Step D", "One discriminator update only (D)"), 1, 0)
        grid.addWidget(self._button("step_g", "Step G", "One generator update only (G)"), 1, 1)
        grid.addWidget(self._button("reset_all", "Reset all", "Both players and the charts start afresh (R)"), 1, 2)
        self.speed = QtWidgets.QComboBox()
        for label, _n in SPEEDS:
            self.speed.addItem(label)
        self.speed.setCurrentIndex(len(SPEEDS) - 1)
        self.speed.setToolTip("Iterations trained per drawn frame; 'max' trains as fast as it can")
        self.speed.currentIndexChanged.connect(lambda i: self._action(f"speed:{SPEEDS[i][1]}"))
        grid.addWidget(QtWidgets.QLabel("Speed"), 2, 0)
        grid.addWidget(self.speed, 2, 1, 1, 2)
        self._field(
            grid, 3, "run.seed", "Seed", spin(0, 2**31 - 1, 0, 1), "Random seed; takes effect at the next reset"
        )
        record = self._button(
            "record",
            "● Record…",
            "Record what the plane shows to MP4, GIF or PNG frames; press again to stop and save (Ctrl+E)",
            checkable=True,
            on_text="■ Stop recording",
        )
        grid.addWidget(record, 4, 0, 1, 3)
        return box

    def _players_group(self):
        box = QtWidgets.QGroupBox("Players")
        grid = QtWidgets.QGridLayout(box)
        for row, (player, name) in enumerate((("D", "d_opt"), ("G", "g_opt"))):
            slider = LogSlider(1e-5, 1.0, 3e-4)
            slider.setToolTip(f"{player}'s learning rate (log scale); applies at once and keeps the optimiser's state")
            slider.valueChanged.connect(lambda v, p=f"{name}.lr": self._update(p, v))
            self.fields[f"{name}.lr"] = slider
            grid.addWidget(QtWidgets.QLabel(f"{player} learning rate"), row * 3, 0, 1, 3)
            grid.addWidget(slider, row * 3 + 1, 0, 1, 3)
            freeze = self._button(
                f"freeze_{player}",
                f"Freeze {player}",
                f"Stop updating {player} (its surface / samples stay fixed)",
                checkable=True,
            )
            grid.addWidget(freeze, row * 3 + 2, 0)
            grid.addWidget(
                self._button(f"reset_{player}", f"Reset {player}", f"Fresh weights for {player} only"), row * 3 + 2, 1
            )
            steps = spin(1, 100, 1, 1, suffix=" steps")
            steps.setToolTip(f"{player} updates per iteration")
            self._connect(f"{name}.steps", steps)
            grid.addWidget(steps, row * 3 + 2, 2)
        self._field(
            grid,
            6,
            "d_opt.beta1",
            "Adam beta1 (D)",
            spin(0, 0.999, 0.5, 0.05, 3),
            "Momentum of D's Adam; lower damps oscillation",
        )
        self._field(grid, 7, "g_opt.beta1", "Adam beta1 (G)", spin(0, 0.999, 0.5, 0.05, 3), "Momentum of G's Adam")
        self._field(
            grid,
            8,
            "d_opt.beta2",
            "Adam beta2 (D)",
            spin(0, 0.9999, 0.999, 0.001, 4),
            "Decay of D's squared-gradient average",
        )
        self._field(
            grid,
            9,
            "g_opt.beta2",
            "Adam beta2 (G)",
            spin(0, 0.9999, 0.999, 0.001, 4),
            "Decay of G's squared-gradient average",
        )
        return box

    def _objective_group(self):
        box = QtWidgets.QGroupBox("Objective")
        grid = QtWidgets.QGridLayout(box)
        loss = QtWidgets.QComboBox()
        loss.addItems(list(LOSSES))
        loss.setToolTip("The game: minimax saturates when D is confident; WGAN-GP is the usual remedy")
        loss.currentTextChanged.connect(lambda t: self._update("objective.loss", t))
        self.fields["objective.loss"] = loss
        grid.addWidget(QtWidgets.QLabel("Loss"), 0, 0)
        grid.addWidget(loss, 0, 1)
        rows = [
            (
                "objective.gp_weight",
                "GP weight (WGAN-GP)",
                spin(0, 1000, 0.1, 0.1, 2),
                "lambda of the gradient penalty",
            ),
            ("objective.r1", "R1 weight", spin(0, 1000, 0, 0.1, 2), "Penalty on D's gradient at real data"),
            ("objective.r2", "R2 weight", spin(0, 1000, 0, 0.1, 2), "Penalty on D's gradient at generated data"),
            ("objective.instance_noise", "Instance noise", spin(0, 10, 0, 0.01, 3), "Std of noise added to D's inputs"),
            (
                "objective.unrolled_steps",
                "Unrolled steps",
                spin(0, 10, 0, 1, suffix=" steps"),
                "G plays against D as it will be after this many updates",
            ),
            (
                "objective.pack",
                "PacGAN packing",
                spin(1, 4, 1, 1, suffix=" samples"),
                "D judges this many samples at once (rebuilds D)",
            ),
            ("run.batch_size", "Batch size", spin(1, 65536, 256, 32, suffix=" samples"), "Samples per update"),
        ]
        for i, (path, label, widget, tip) in enumerate(rows, start=1):
            self._field(grid, i, path, label, widget, tip)
        return box

    def _models_group(self):
        box = QtWidgets.QGroupBox("Models (changes rebuild that player)")
        grid = QtWidgets.QGridLayout(box)
        row = 0
        for section, who in (("generator", "G"), ("discriminator", "D")):
            self._field(
                grid,
                row,
                f"{section}.depth",
                f"{who} hidden layers",
                spin(0, 8, 2, 1, suffix=" layers"),
                f"Depth of {who}; changing it gives {who} fresh weights",
            )
            self._field(
                grid,
                row + 1,
                f"{section}.width",
                f"{who} width",
                spin(1, 1024, 128, 16, suffix=" units"),
                f"Units per hidden layer of {who}; changing it gives {who} fresh weights",
            )
            act = QtWidgets.QComboBox()
            act.addItems(list(ACTIVATIONS))
            act.currentTextChanged.connect(lambda t, p=f"{section}.activation": self._update(p, t))
            self.fields[f"{section}.activation"] = act
            grid.addWidget(QtWidgets.QLabel(f"{who} activation"), row + 2, 0)
            grid.addWidget(act, row + 2, 1, 1, 2)
            init = QtWidgets.QComboBox()
            init.addItems(list(INITS))
            init.setToolTip(
                f"How {who}'s weights start: PyTorch's default, orthogonal with gain 0.8 "
                f"as in the Unrolled GAN paper, or N(0, 0.02) as in PacGAN (rebuilds {who})"
            )
            init.currentTextChanged.connect(lambda t, p=f"{section}.init": self._update(p, t))
            self.fields[f"{section}.init"] = init
            grid.addWidget(QtWidgets.QLabel(f"{who} initial weights"), row + 3, 0)
            grid.addWidget(init, row + 3, 1, 1, 2)
            row += 4
        self._field(
            grid,
            row,
            "generator.noise_dim",
            "Noise dimension",
            spin(1, 256, 2, 1, suffix=" dims"),
            "Size of G's input noise (rebuilds G)",
        )
        noise = QtWidgets.QComboBox()
        noise.addItems(list(NOISE_KINDS))
        noise.currentTextChanged.connect(lambda t: self._update("generator.noise", t))
        self.fields["generator.noise"] = noise
        grid.addWidget(QtWidgets.QLabel("Noise"), row + 1, 0)
        grid.addWidget(noise, row + 1, 1, 1, 2)
        norm = QtWidgets.QComboBox()  # the PacGAN / VEEGAN networks: batch-norm G, maxout D
        norm.addItems(list(NORMS))
        norm.setToolTip("Batch norm after each of G's hidden layers, as in PacGAN / VEEGAN (rebuilds G)")
        norm.currentTextChanged.connect(lambda t: self._update("generator.norm", t))
        self.fields["generator.norm"] = norm
        grid.addWidget(QtWidgets.QLabel("G normalisation"), row + 2, 0)
        grid.addWidget(norm, row + 2, 1, 1, 2)
        self._field(
            grid,
            row + 3,
            "discriminator.maxout",
            "D maxout pieces",
            spin(1, 16, 1, 1, suffix=" pieces"),
            "Each of D's hidden units is the largest of this many linear pieces (PacGAN: 5); "
            "1 = the activation above (rebuilds D)",
        )
        return box

    def _target_group(self):
        box = QtWidgets.QGroupBox("Target")
        grid = QtWidgets.QGridLayout(box)
        self.preset = QtWidgets.QComboBox()
        for name in preset_names():
            self.preset.addItem(name)
            self.preset.setItemData(self.preset.count() - 1, preset_description(name), QtCore.Qt.ToolTipRole)
        self.preset.setToolTip("Load a preset: target, models and objective (resets the run)")
        self.preset.activated.connect(lambda i: self._action(f"preset:{self.preset.itemText(i)}"))
        grid.addWidget(QtWidgets.QLabel("Preset"), 0, 0)
        grid.addWidget(self.preset, 0, 1)
        rows = [
            ("target.n_modes", "Ring modes", spin(1, 256, 8, 1, suffix=" modes"), "Gaussians on the ring"),
            ("target.radius", "Ring radius", spin(0.01, 100, 2, 0.1, 2), "Radius of the ring"),
            ("target.grid_size", "Grid size", spin(1, 16, 5, 1, suffix=" per side"), "Modes per side of the grid"),
            ("target.spacing", "Grid spacing", spin(0.01, 100, 2, 0.1, 2), "Distance between grid modes"),
            ("target.sigma", "Mode sigma", spin(0.0001, 100, 0.02, 0.01, 4), "Std of each Gaussian mode"),
        ]
        for i, (path, label, widget, tip) in enumerate(rows, start=1):
            self._field(grid, i, path, label, widget, tip)
        self.mixture = MixtureTable(lambda rows: self._update("target.mixture", rows))
        grid.addWidget(QtWidgets.QLabel("Mixture components (x, y, sigma, weight)"), 6, 0, 1, 3)
        grid.addWidget(self.mixture, 7, 0, 1, 3)
        grid.addWidget(self._plain_button("Add component", self.mixture.add_row), 8, 0)
        grid.addWidget(self._plain_button("Remove selected", self.mixture.remove_selected), 8, 1)
        draw = self._button("draw", "Draw target", "Paint your own target on the plane with the mouse", checkable=True)
        grid.addWidget(draw, 9, 0)
        grid.addWidget(self._button("import", "Import points…", "Load (x, y) rows from CSV or NPY"), 9, 1)
        self.brush = spin(0.01, 5, 0.15, 0.05, 2, suffix=" units")
        self.brush.setToolTip("Brush radius, in plane units")
        self.brush.valueChanged.connect(lambda v: self._action(f"brush:{v}"))
        grid.addWidget(QtWidgets.QLabel("Brush radius"), 10, 0)
        grid.addWidget(self.brush, 10, 1)
        grid.addWidget(self._button("eraser", "Eraser", "Remove points under the brush", checkable=True), 11, 0)
        grid.addWidget(self._button("undo", "Undo stroke", "Take back the last stroke (Ctrl+Z)"), 11, 1)
        grid.addWidget(self._button("clear_sketch", "Clear drawing", "Remove every drawn point"), 12, 0)
        grid.addWidget(self._button("save_points", "Save points…", "Save the drawn target as CSV"), 12, 1)
        return box

    def _layers_group(self):
        box = QtWidgets.QGroupBox("Layers")
        grid = QtWidgets.QGridLayout(box)
        self.layer_boxes = {}
        for i, (key, (label, on)) in enumerate(LAYERS.items()):
            cb = QtWidgets.QCheckBox(label)
            cb.setChecked(on)
            cb.toggled.connect(lambda checked, k=key: self._layer(k, checked))
            self.layer_boxes[key] = cb
            grid.addWidget(cb, i // 2, i % 2)
        return box

    # --- helpers ------------------------------------------------------------------------------
    def _button(self, name, text, tip, checkable=False, on_text=None):
        b = QtWidgets.QPushButton(text)
        b.setToolTip(tip)
        b.setCheckable(checkable)
        if on_text:  # the label says what a press does now: Play / Pause, Record / Stop
            b.setProperty("off_text", text)
            b.setProperty("on_text", on_text)
            b.toggled.connect(lambda on, b=b: show_state(b, on))
        if checkable:
            b.toggled.connect(lambda on, n=name: self._action(f"{n}:{int(on)}"))
        else:
            b.clicked.connect(lambda _=False, n=name: self._action(n))
        self.buttons[name] = b
        return b

    def _plain_button(self, text, slot):
        b = QtWidgets.QPushButton(text)
        b.clicked.connect(lambda _=False: slot())
        return b

    def _field(self, grid, row, path, label, widget, tip):
        widget.setToolTip(tip)
        grid.addWidget(QtWidgets.QLabel(label), row, 0)
        grid.addWidget(widget, row, 1, 1, 2)
        self._connect(path, widget)

    def _connect(self, path, widget):
        self.fields[path] = widget
        widget.valueChanged.connect(lambda v, p=path: self._update(p, v))

    def sync(self, cfg: GanConfig) -> None:
        """Show the config's values without sending them back."""
        self.mixture.show_config(cfg.target)
        for path, w in self.fields.items():
            value = cfg.get(path)
            with QtCore.QSignalBlocker(w):
                if isinstance(w, QtWidgets.QComboBox):
                    w.setCurrentText(str(value))
                else:
                    w.setValue(value)

    def set_checked(self, name: str, on: bool) -> None:
        with QtCore.QSignalBlocker(self.buttons[name]):
            self.buttons[name].setChecked(on)
        show_state(self.buttons[name], on)
