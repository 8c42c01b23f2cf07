"""Digits (SVC): a sample is a whole 8×8 image — the tutorial's first example.

Run it as it is (`python digits.py`): it needs numpy, scikit-image and scikit-learn only.
"""
# Matches the page: the same held-out predictions (confusion matrix, accuracy) and, for a drawing, the same scores.

import numpy as np
from skimage import io
from sklearn import datasets, svm
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split

# --- parameters: the page writes its values here ---
gamma = 0.001
C = 100.0
test_size = 0.25
seed = 0
digit = None  # your drawing's 8×8 values (0…16, row by row) once you draw a digit on the page
# --- end of parameters ---

digits = datasets.load_digits()  # data: (1797, 64) values 0…16; images: (1797, 8, 8); target: (1797,)

# The tutorial's cells: train on all digits but the last 10, predict the last 2
clf = svm.SVC(gamma=gamma, C=C)
clf.fit(digits.data[:-10], digits.target[:-10])
print("last two digits predicted:", clf.predict(digits.data[-2:]), "true:", digits.target[-2:])

# Hold out part of the digits, train on the rest, test on the held-out part
X_train, X_test, y_train, y_test = train_test_split(digits.data, digits.target, test_size=test_size,
                                                    random_state=seed)
clf = svm.SVC(gamma=gamma, C=C).fit(X_train, y_train)
y_pred = clf.predict(X_test)
print(f"held-out accuracy: {np.mean(y_pred == y_test):.2%} of {len(y_test)} digits")
result = confusion_matrix(y_test, y_pred, labels=np.arange(10))  # rows: true digit, columns: predicted
print(result)

# The held-out digits it got wrong, side by side in one picture (white ink on black, as the tutorial shows them)
wrong = np.flatnonzero(y_pred != y_test)[:24]
print("mistakes (true → predicted):", [f"{y_test[i]}→{y_pred[i]}" for i in wrong])
if len(wrong):
    strip = np.kron(np.hstack([np.pad(X_test[i].reshape(8, 8), 1) for i in wrong]), np.ones((8, 8)))
    io.imsave("digits_mistakes.png", (strip * 255 / 16).astype(np.uint8), check_contrast=False)

if digit is None:
    print("No drawing: draw a digit on the page's canvas and copy the script again to have it read here.")
else:
    digit = np.asarray(digit, dtype=float)
    scores = clf.decision_function(digit[None])[0]  # one-vs-rest shape: duels won + a confidence term
    ranked = clf.classes_[np.argsort(-scores, kind="stable")]
    print("your digit is read as", ranked[0], "· runner-up:", ranked[1])  # the top of the scores, as on the page
    print("decision scores:", dict(zip(clf.classes_.tolist(), scores.round(3).tolist(), strict=True)))
    io.imsave("my_digit.png", (np.kron(digit.reshape(8, 8), np.ones((16, 16))) * 255 / 16).astype(np.uint8),
              check_contrast=False)
