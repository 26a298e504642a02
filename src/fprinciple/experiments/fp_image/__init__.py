"""fp_image — X18 (lecture notes fig. 1.7): a fully connected net memorises a grey photograph as the
function (x, y) → grey level, and captures the coarse image first and the finest detail last
(README.md beside this file)."""

PAPER_FIGURE = "Xu 2018 (arXiv:1808.04295): a DNN memorising a photograph (lecture notes fig. 1.7)"
FULL_SIZE = 512  # the photograph's side in pixels


def dataset(cfg: dict) -> str:
    """The target as captions name it: the photograph, and its size when downsampled."""
    side = cfg["image"]["size"]
    scale = "" if side == FULL_SIZE else f", downsampled to {side}×{side}"
    return f"camera-man photograph (scikit-image, {FULL_SIZE}×{FULL_SIZE} grey levels{scale})"
