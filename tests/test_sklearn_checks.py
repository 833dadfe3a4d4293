"""scikit-learn's own estimator checks are the judge of the estimator contract."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from paradigms.supervised import Classifier, Regressor
from paradigms.unsupervised import AutoEncoder


@parametrize_with_checks(
    [
        Classifier(random_state=0),
        Regressor(random_state=0),
        AutoEncoder(random_state=0),
        AutoEncoder(kind="variational", latent_dim=2, random_state=0),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
