"""The `ganscope` command: the one place where the headless CLI (core.cli) and the app meet.

core.cli builds the headless commands (train, sweep, scenario, presets, config) and never names the
app; this module adds the two that need the app's views, `gui` (the default with no command) and
`export`, so the layers depend one way only: app -> core. Importing this module loads no Qt: each
command imports what it needs when it runs, so a machine without the GUI libraries still trains.
"""

from __future__ import annotations

from ganscope.core.stop_signals import hold_early

hold_early()  # first: a Ctrl-C while torch and Qt import (seconds) ends in one line and exit 130

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from ganscope.core import cli, exit_codes  # noqa: E402
from ganscope.core.cli_outputs import stopped_code  # noqa: E402


def add_app_commands(sub) -> None:
    """Register `compare`, `export` and `gui` on core.cli's subcommand parser (compare's lives in
    core.compare, which uses core.cli's argument helpers: registering it here keeps core acyclic)."""
    from ganscope.core.compare import add_compare_parser

    add_compare_parser(sub)
    x = sub.add_parser("export", help="train headless and write an animation (MP4, GIF or PNG frames)")
    cli.add_source_args(x)
    x.add_argument("--steps", type=int, default=2000, help="iterations to train (default 2000)")
    x.add_argument("--every", type=int, default=20, help="iterations between frames (default 20)")
    x.add_argument(
        "--out", required=True, help="FILE.mp4, FILE.gif, or a name without extension for a folder of PNG frames"
    )
    x.add_argument("--size", default="800x600", help="WIDTHxHEIGHT in pixels (default 800x600)")
    x.add_argument("--fps", type=float, default=30.0, help="frames per second of the animation (default 30)")
    x.add_argument(
        "--layers",
        help="comma-separated layers to draw (default: as in the app): "
        "surface,contour,density,real,fake,arrows,manifold,trails",
    )
    x.add_argument("--charts", action="store_true", help="draw the metric charts beside the plane")
    x.add_argument(
        "--spectrum",
        action="store_true",
        help="draw the game's Jacobian spectrum beside the plane (computed every run.spectrum_every steps)",
    )
    x.add_argument("--no-caption", action="store_true", help="no step and metrics line")
    x.add_argument("--force", action="store_true", help="overwrite the output if it exists")

    g = sub.add_parser("gui", help="open the app (the default with no command)")
    cli.add_source_args(g)
    g.add_argument("--steps", type=int, default=0, help="train this many steps, then (with --screenshot) exit")
    g.add_argument("--screenshot", help="save a PNG of the whole window after --steps and exit")
    g.add_argument(
        "--lesson", help="start a lesson (see `ganscope scenario`); with --screenshot, the picture is taken at its end"
    )
    g.add_argument("--lang", choices=("en", "zh"), help="interface and lessons in English or Chinese")
    g.add_argument(
        "--exit-after-first-frame",
        action="store_true",
        help="quit as soon as the first frame is drawn (start-up timing)",
    )


def cmd_export(args) -> int:
    from ganscope.core.animation import check_fps, check_output
    from ganscope.core.outputs import check_free_space

    if not 0 < args.steps <= 10_000_000:
        raise cli.UsageError(f"--steps {args.steps}: must be between 1 and 10000000")
    if not 0 < args.every <= args.steps:
        raise cli.UsageError(f"--every {args.every}: must be between 1 and --steps ({args.steps})")
    width, height = cli.parse_size(args.size)
    _path, fmt = check_output(args.out, args.force)  # refuse before training, not after
    fps = check_fps(args.fps, fmt)
    engine = cli.engine_from_args(args)
    frames = args.steps // args.every + 1
    check_free_space(args.out, "--out", frames * width * height * {"mp4": 0.05, "gif": 0.3, "png": 0.5}[fmt])
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # headless: no window, no display needed
    try:
        from ganscope.app import export
    except ImportError as exc:
        print(f"ganscope: export needs the app's views: {exc}", file=sys.stderr)
        return 1
    options = export.ExportOptions(
        width=width,
        height=height,
        fps=fps,
        every=args.every,
        charts=args.charts,
        spectrum=args.spectrum,
        caption=not args.no_caption,
        layers=export.parse_layers(args.layers),
    )
    try:
        export.export_headless(engine, args.out, args.steps, options, force=args.force)
    except KeyboardInterrupt:
        print("\nganscope: export cancelled; nothing written", file=sys.stderr)
        return stopped_code()
    except OSError as exc:  # after training: the animation is lost, the trained run is not
        from ganscope.core.outputs import write_fallback
        from ganscope.core.safe_text import one_line
        from ganscope.core.session import engine_state, state_to_bytes
        from ganscope.core.stop_signals import deferred

        with deferred():
            written = write_fallback(
                state_to_bytes(engine_state(engine)),
                Path(args.out.rstrip("/" + os.sep)).stem + ".gscope",
                "trained session",
                f"the animation could not be written to {one_line(args.out)} "
                f"({one_line(exc.strerror or exc)}; nothing was left there)",
            )
        return exit_codes.SAVED_ELSEWHERE if written else exit_codes.INTERNAL_ERROR
    return exit_codes.for_run(engine.status)


def cmd_gui(args) -> int:
    try:
        from ganscope.app.main import run_app
    except ImportError as exc:
        print(
            f"ganscope: the app cannot start: {exc}. Install the GUI dependencies (bash scripts/setup.sh --window).",
            file=sys.stderr,
        )
        return 1
    return run_app(args)


def cmd_compare(args) -> int:
    from ganscope.core.compare import cmd_compare as run

    def exporter(*a, **k):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # headless: no display needed
        from ganscope.app.compare_export import export_compare

        return export_compare(*a, **k)

    return run(args, exporter=exporter)


def build_parser() -> argparse.ArgumentParser:
    return cli.build_parser(add_app_commands)


def main(argv: list[str] | None = None) -> int:
    """`ganscope [command] ...`; with no command, the app opens."""
    return cli.main(
        argv,
        parser=build_parser(),
        handlers={"export": cmd_export, "gui": cmd_gui, "compare": cmd_compare},
        default="gui",
    )


if __name__ == "__main__":
    sys.exit(main())
