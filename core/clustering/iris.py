"""The tutorial's first k-means: the iris measurements (not per image, so no batch form)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core._threads import limit_threads
from core._validation import check_int

__all__ = ["IRIS_BATCH_REASON", "IRIS_COLUMNS", "IrisClusters", "iris_kmeans"]

#: The iris tab has no batch form: it clusters one fixed data set, not images.
IRIS_BATCH_REASON = "The iris k-means clusters scikit-learn's fixed iris data set, not images."


@dataclass
class IrisClusters:
    """k-means on the iris measurements.

    Attributes
    ----------
    frame : DataFrame
        150 rows: the four measurements (cm), ``species`` and ``cluster``.
    ari : float
        Adjusted Rand index between clusters and species (1 = identical, ~0 = chance).
    centers : ndarray, shape ``(n_clusters, 4)``
        Cluster centres in cm.
    """

    frame: pd.DataFrame
    ari: float
    centers: np.ndarray


IRIS_COLUMNS = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")


def iris_kmeans(n_clusters: int = 3, *, random_state: int = 5) -> IrisClusters:
    """The tutorial's k-means on the iris data set.

    Parameters
    ----------
    n_clusters : int, optional
        k, from 1 to 150 (the tutorial uses 3).
    random_state : int, optional
        Seed of k-means (the tutorial seeds numpy's global RNG with 5).

    Returns
    -------
    result : IrisClusters
    """
    from sklearn.cluster import KMeans
    from sklearn.datasets import load_iris
    from sklearn.metrics import adjusted_rand_score

    iris = load_iris()
    n_clusters = check_int("n_clusters", n_clusters, 1, 150)
    with limit_threads(1, user_api="openmp"):
        km = KMeans(n_clusters=int(n_clusters), random_state=random_state, n_init=10).fit(iris.data)
    frame = pd.DataFrame(iris.data, columns=list(IRIS_COLUMNS))
    frame["species"] = np.asarray(iris.target_names)[iris.target]
    frame["cluster"] = km.labels_.astype(int)
    ari = float(adjusted_rand_score(iris.target, km.labels_))
    return IrisClusters(frame=frame, ari=ari, centers=km.cluster_centers_)
