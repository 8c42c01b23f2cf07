"""'Reproduce in Python' for the Digits (SVC) page.

:func:`script` turns the page's values into a short runnable script (numpy and
scikit-learn — no import of this project) that trains the same SVC on the same
split and binds the held-out confusion matrix to ``result``. When a drawn
digit is given (its 64 values 0…16), the script also predicts it.
"""

from __future__ import annotations

from core.recipes import header, require

__all__ = ["REQUIRED", "script"]

#: The page parameters the script depends on.
REQUIRED = ("gamma", "C", "test_size", "seed")
#: Optional values: the drawn digit's 64 values.
OPTIONAL = ("digit",)


def script(values: dict) -> str:
    """The runnable script for these page values.

    Parameters
    ----------
    values : dict
        The page's ``ps.values()`` (``gamma``, ``C``, ``test_size``, ``seed``)
        and optionally ``digit``: the drawn digit's 64 values (0…16).

    Returns
    -------
    code : str
        Ends with ``result``: the (10, 10) int confusion matrix of the held-out digits.
    """
    require(values, REQUIRED, OPTIONAL)
    gamma, C = float(values["gamma"]), float(values["C"])
    test_size, seed = float(values["test_size"]), int(values["seed"])
    code = header((), "from sklearn import datasets, svm", "from sklearn.metrics import confusion_matrix",
                  "from sklearn.model_selection import train_test_split") + (
        "\ndigits = datasets.load_digits()  # data: (1797, 64) values 0…16; target: (1797,)\n\n"
        "# The tutorial's check: train on all digits but the last 10, predict the last 2\n"
        f"clf = svm.SVC(gamma={gamma!r}, C={C!r})\n"
        "clf.fit(digits.data[:-10], digits.target[:-10])\n"
        'print("last two digits predicted:", clf.predict(digits.data[-2:]), "true:", digits.target[-2:])\n\n'
        f"# Hold out {test_size:.0%} of the digits, train on the rest, test on the held-out part\n"
        "X_train, X_test, y_train, y_test = train_test_split(\n"
        f"    digits.data, digits.target, test_size={test_size!r}, random_state={seed})\n"
        f"clf = svm.SVC(gamma={gamma!r}, C={C!r}).fit(X_train, y_train)\n"
        "y_pred = clf.predict(X_test)\n"
        'print(f"held-out accuracy: {np.mean(y_pred == y_test):.4f}")\n'
        "result = confusion_matrix(y_test, y_pred, labels=np.arange(10))  # rows: true, columns: predicted\n"
        "print(result)\n"
    )
    digit = values.get("digit")
    if digit is not None:
        flat = [int(v) for v in digit]
        if len(flat) != 64:
            raise ValueError(f"digit must have 64 values; got {len(flat)}.")
        rows = ",\n".join("    " + ", ".join(f"{v:2d}" for v in flat[r * 8 : r * 8 + 8]) for r in range(8))
        code += (
            "\n# Your drawing, reduced like the dataset: inked pixels per 4×4 block of a 32×32 bitmap (0…16)\n"
            f"digit = np.array([\n{rows},\n], dtype=float)\n"
            'print("your digit is predicted:", clf.predict(digit[None])[0])\n'
            'print("decision scores:", clf.decision_function(digit[None]).round(2))\n'
        )
    return code
