"""Spares every process that trains 1.4 s (quiet machine) to 5 s (busy 2-core machine) of start-up.

torch.optim's methods are wrapped to switch TorchDynamo off, and the wrapper imports all of
torch._dynamo on the first call. ganscope never compiles, so each wrapper is told that its plain
function is already the "disabled" one. Only unwrapped functions are touched; on a torch where
this does not apply, nothing happens. Used by the app (app.main) and by the training process
(core.train_process), which before this spent its first seconds importing TorchDynamo and could
not even hear a 'quit' meanwhile.
"""

from __future__ import annotations

import sys


def skip_dynamo_import() -> None:
    import torch

    if "torch._dynamo" in sys.modules:
        return
    for _name, inner in vars(torch.optim.Optimizer).items():
        fn = getattr(inner, "__wrapped__", None)
        code = getattr(inner, "__code__", None)
        if (
            callable(fn)
            and code is not None
            and code.co_name == "inner"
            and code.co_filename.endswith("_compile.py")
            and getattr(fn, "__dynamo_disable", None) is None
        ):
            fn.__dynamo_disable = fn
