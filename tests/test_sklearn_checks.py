"""scikit-learn's own estimator checks are the judge of the estimator contract."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from paradigms.supervised import Classifier, Regressor


@parametrize_with_checks([Classifier(random_state=0), Regressor(random_state=0)])
def test_sklearn_compatible(estimator, check):
    check(estimator)
