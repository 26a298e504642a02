"""Import torchvision on machines where its compiled extension cannot load.

Some CPU-only machines end up with a torchvision wheel whose C++ extension
(``torchvision/_C.so``, e.g. from a CUDA build) fails to load. torchvision is meant
to work without it: datasets, transforms and models are pure Python and only the
detection ops (nms, roi_align, ...) need the extension. But ``import torchvision``
registers fake (meta) kernels for ``torchvision::nms`` and ``torchvision::qnms``
unconditionally, and that fails with ``RuntimeError: operator torchvision::nms does
not exist`` when the extension that defines those operator schemas is missing.
Every other registration is guarded by ``torchvision.extension._has_ops()``.

``import_torchvision()`` tries the normal import first. Only when it fails for that
reason does it define the two schemas (without kernels, so calling
``torchvision.ops.nms`` still raises; this project never uses detection ops) and
import again. Import torchvision through this function, never directly.
"""

import importlib
import re
from types import ModuleType

import torch

# The schemas exactly as torchvision's C++ extension declares them.
_SCHEMAS = (
    "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
)
_MISSING_OP = re.compile(r"operator torchvision::\w+ does not exist")

# A torch.library.Library removes its definitions when garbage-collected, so the
# one holding the stand-in schemas must live as long as the process.
_stand_in_library: torch.library.Library | None = None


def import_torchvision() -> ModuleType:
    """Return the torchvision module, defining missing operator schemas if needed."""
    global _stand_in_library
    try:
        return importlib.import_module("torchvision")
    except RuntimeError as err:
        if not _MISSING_OP.search(str(err)):
            raise
    _stand_in_library = torch.library.Library("torchvision", "FRAGMENT")
    for schema in _SCHEMAS:
        _stand_in_library.define(schema)
    return importlib.import_module("torchvision")
