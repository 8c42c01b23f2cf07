"""A test-only technique for the batch machinery (registered with ``IMLAB_TECHNIQUES``).

It follows the DEVELOPING contract exactly: ``SCHEMA`` and ``batch_outputs(image, values)``
returning a label array (16-bit when ``levels`` > 255), a uint8 image, a table and the summary.
"""

import numpy as np
import pandas as pd

from core.images import to_gray
from core.schema import Choice, Int, Schema

SCHEMA = Schema("fake", [Int("levels", 4, 2, 1000, help="gray levels"),
                         Choice("order", ["up", "down"], "up", help="label order")], image="camera")


def batch_outputs(image, values):
    gray = to_gray(image)
    if gray.std() == 0:
        raise ValueError("The image is flat (one gray level); use an image with some contrast.")
    labels = np.minimum((gray * values["levels"]).astype(np.int32), values["levels"] - 1)
    if values["order"] == "down":
        labels = values["levels"] - 1 - labels
    shown = (labels * (255 // max(values["levels"] - 1, 1))).astype(np.uint8)
    counts = np.bincount(labels.ravel(), minlength=values["levels"])
    table = pd.DataFrame({"level": np.arange(values["levels"]), "pixels": counts})
    return {"levels": labels, "shown": shown, "table": table,
            "summary": {"levels_used": int((counts > 0).sum()), "mean": round(float(gray.mean()), 6)}}
