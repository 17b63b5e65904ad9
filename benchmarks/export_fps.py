"""Export speed: render + encode frames/s at 800x600, against naive baselines in the same run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/export_fps.py [--frames 120] [--size 800x600]

Frames come from a real ring run, built before timing (training is not part of the figure).
Baselines: grabbing the widget as the screenshot does (QWidget.grab, RGB888 copy), and GIF with
Pillow's default per-frame palettes. Prints JSON; compare ratios, the machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--size", default="800x600")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    from PySide6 import QtGui, QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])

    from ganscope.app.export import ExportOptions, FrameRenderer
    from ganscope.core.animation import AnimationWriter
    from ganscope.core.engine import GanEngine
    from ganscope.core.presets import preset_config

    torch_threads = 1
    import torch

    torch.set_num_threads(torch_threads)
    engine = GanEngine(preset_config("ring"))
    frames = []
    for _ in range(args.frames):
        engine.step(10)
        frames.append(engine.frame())
    renderer = FrameRenderer(ExportOptions(width=w, height=h))
    renderer.render(frames[0])  # warm-up: fonts, first layout

    def timed(fn) -> float:
        start = time.perf_counter()
        fn()
        return args.frames / (time.perf_counter() - start)

    def naive_grab():
        for f in frames:
            renderer.plane.draw(f)
            img = renderer.widget.grab().toImage().convertToFormat(QtGui.QImage.Format_RGB888)
            np.frombuffer(img.constBits(), np.uint8, img.sizeInBytes()).copy()
            app.processEvents()

    images = []
    result = {"size": f"{w}x{h}", "frames": args.frames}
    result["grab_fps"] = timed(naive_grab)
    result["render_fps"] = timed(lambda: images.extend(renderer.render(f) for f in frames))
    with tempfile.TemporaryDirectory() as tmp:

        def encode(name, source):
            with AnimationWriter(os.path.join(tmp, name), fps=30) as writer:
                for item in source():
                    writer.add(item)
                writer.finish()

        result["mp4_render_encode_fps"] = timed(lambda: encode("a.mp4", lambda: (renderer.render(f) for f in frames)))
        result["gif_render_encode_fps"] = timed(lambda: encode("a.gif", lambda: (renderer.render(f) for f in frames)))
        result["gif_encode_fps"] = timed(lambda: encode("b.gif", lambda: images))

        def per_frame_palette_gif():
            from PIL import Image

            pics = [Image.fromarray(i) for i in images]
            pics[0].save(os.path.join(tmp, "c.gif"), save_all=True, append_images=pics[1:], duration=33)

        result["gif_per_frame_palette_encode_fps"] = timed(per_frame_palette_gif)
    result["render_vs_grab"] = result["render_fps"] / result["grab_fps"]
    result["gif_encode_vs_per_frame_palette"] = result["gif_encode_fps"] / result["gif_per_frame_palette_encode_fps"]
    renderer.close()
    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}, indent=1))


if __name__ == "__main__":
    main()
