"""Bad input at scale: generated inputs for every public entry point either work or raise a
``ValueError``/``TypeError`` from the library's own checks (or scikit-learn's input
validation), never a raw error from inside torch, numpy or stable-baselines3.

The default profile runs a little over 500 generated cases; ``HYPOTHESIS_PROFILE=thorough``
runs ten times as many (for a ``slow`` run on a quiet machine).
"""

from __future__ import annotations

import os
import traceback

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paradigms.backbones import create_backbone, load_backbone, save_backbone
from paradigms.data import ArrayDataset, dataset_to_arrays, to_numpy
from paradigms.data.tables import load_csv
from paradigms.reinforcement import validate_env
from paradigms.supervised import Classifier, Regressor
from paradigms.unsupervised import AutoEncoder

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: where a raw error would come from: the user should never see one of these frames last
FOREIGN = (f"{os.sep}torch{os.sep}", f"{os.sep}numpy{os.sep}", f"{os.sep}stable_baselines3{os.sep}")


def works_or_explains(call) -> object:
    """Run ``call``: its result, or ``None`` after a clean ``ValueError``/``TypeError``."""
    try:
        return call()
    except (ValueError, TypeError) as error:
        assert str(error).strip(), f"{type(error).__name__} without a message"
        last = traceback.extract_tb(error.__traceback__)[-1].filename
        assert not any(part in last for part in FOREIGN), (
            f"raw {type(error).__name__} from {last}: {error}"
        )
        return None


# ------------------------------------------------------------------------------- arrays
DTYPES = st.sampled_from(["float32", "float64", "int64", "bool", "complex64", "U3", "object"])


@st.composite
def arrays(draw, max_rows: int = 6) -> np.ndarray:
    """Arrays of random shape (0-4 dims), dtype and contents, NaN/inf sometimes planted."""
    ndim = draw(st.integers(0, 4))
    shape = tuple(draw(st.integers(0 if i == 0 else 1, max_rows if i == 0 else 5))
                  for i in range(ndim))  # fmt: skip
    dtype = draw(DTYPES)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    values = np.asarray(rng.normal(size=shape)) * draw(st.sampled_from([1.0, 1e3, 1e30]))
    if values.size and draw(st.booleans()):
        values.flat[draw(st.integers(0, values.size - 1))] = draw(
            st.sampled_from([np.nan, np.inf, -np.inf])
        )
    values = np.asarray(values)  # 0-d arithmetic gives numpy scalars
    if dtype == "U3":
        return np.asarray(values.astype(str).astype("U3"))
    if dtype == "object":
        return np.asarray(values.astype(object))
    with np.errstate(invalid="ignore", over="ignore"):
        return np.asarray(values.astype(dtype))


@st.composite
def labels(draw, n: int) -> object:
    """Labels: the right or a wrong length, ints, strings, floats, 2-D, None, a scalar."""
    length = draw(st.sampled_from([n, n, n, max(0, n - 1), n + 1]))
    kind = draw(st.sampled_from(["int", "str", "float", "2d", "none", "scalar", "nan"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if kind == "int":
        return rng.integers(-1, 3, length)
    if kind == "str":
        return np.array(["a", "b", "c"])[rng.integers(0, 3, length)]
    if kind == "float":
        return rng.normal(size=length)
    if kind == "2d":
        return rng.integers(0, 2, (length, 2))
    if kind == "nan":
        return np.full(length, np.nan)
    return None if kind == "none" else 3


TINY = {"max_epochs": 1, "batch_size": 4, "random_state": 0, "semi_supervised_steps": 2}


@given(X=arrays(), data=st.data())
def test_classifier_fit_and_predict(X, data):
    y = data.draw(labels(len(X) if X.ndim else 1))
    clf = works_or_explains(lambda: Classifier(**TINY).fit(X, y))
    if clf is not None:
        predicted = works_or_explains(lambda: clf.predict(X))
        assert predicted is None or len(predicted) == len(X)
        works_or_explains(lambda: clf.predict(data.draw(arrays())))


@given(X=arrays(), data=st.data())
def test_regressor_fit(X, data):
    y = data.draw(labels(len(X) if X.ndim else 1))
    params = {k: v for k, v in TINY.items() if k != "semi_supervised_steps"}
    reg = works_or_explains(lambda: Regressor(**params).fit(X, y))
    if reg is not None:
        out = works_or_explains(lambda: reg.predict(X))
        assert out is None or np.isfinite(out).all()


@given(X=arrays(), other=arrays(), latent=st.integers(-1, 4))
def test_autoencoder_fit_transform_and_scores(X, other, latent):
    ae = works_or_explains(
        lambda: AutoEncoder(latent_dim=latent, max_epochs=1, batch_size=4, random_state=0).fit(X)
    )
    if ae is not None:
        for call in (ae.transform, ae.reconstruction_error, ae.score_samples):
            works_or_explains(lambda call=call: call(other))
        works_or_explains(lambda: ae.inverse_transform(other))


@given(X=arrays(), y=st.one_of(st.none(), arrays()))
def test_data_adapters(X, y):
    works_or_explains(lambda: to_numpy(X))
    dataset = works_or_explains(lambda: ArrayDataset(X, y))
    if dataset is not None:
        works_or_explains(lambda: dataset_to_arrays(dataset))


# ------------------------------------------------------------------------------- backbones
NAMES = st.sampled_from(["auto", "mlp", "cnn", "nature_cnn", "timm:resnet10t", "cnnn", "", "x:y"])
SHAPES = st.lists(st.integers(-1, 40), min_size=0, max_size=4).map(tuple)


@given(name=NAMES, shape=SHAPES, hidden=st.one_of(st.none(), st.lists(st.integers(-2, 8))))
def test_create_backbone(name, shape, hidden):
    kwargs = {} if hidden is None or name != "mlp" else {"hidden": tuple(hidden)}
    works_or_explains(lambda: create_backbone(name, in_shape=shape, **kwargs))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cut=st.integers(0, 10_000), flip=st.integers(0, 10_000), junk=st.binary(max_size=64))
def test_load_backbone_of_truncated_or_tampered_files(tmp_path, cut, flip, junk):
    path = tmp_path / "bb.safetensors"
    if not path.exists():
        save_backbone(create_backbone("mlp", in_shape=(3,), hidden=(4,)), path)
    blob = bytearray(path.read_bytes())
    damaged = tmp_path / "damaged.safetensors"
    blob = blob[: cut % (len(blob) + 1)]
    if blob:
        blob[flip % len(blob)] ^= 0xFF
    damaged.write_bytes(bytes(blob) + junk)
    works_or_explains(lambda: load_backbone(damaged))


@pytest.fixture(scope="module")
def sb3_zip(tmp_path_factory):
    from stable_baselines3 import PPO

    path = tmp_path_factory.mktemp("sb3") / "ppo.zip"
    PPO("MlpPolicy", "CartPole-v1", n_steps=16, batch_size=16, seed=0).save(path)
    return path


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cut=st.integers(0, 100_000), flip=st.integers(0, 100_000), data=st.data())
def test_load_of_tampered_sb3_files(tmp_path, sb3_zip, cut, flip, data):
    import json
    import warnings
    import zipfile

    from paradigms.reinforcement import Agent

    damaged = tmp_path / "damaged.zip"
    if data.draw(st.booleans(), label="bytes, not fields"):
        blob = bytearray(sb3_zip.read_bytes())[: cut % (sb3_zip.stat().st_size + 1)]
        if blob:
            blob[flip % len(blob)] ^= 0xFF
        damaged.write_bytes(bytes(blob))
    else:  # a readable field replaced by another JSON value
        with zipfile.ZipFile(sb3_zip) as src:
            fields = json.loads(src.read("data"))
            key = data.draw(st.sampled_from(sorted(fields)), label="field")
            fields[key] = data.draw(JSON_VALUES, label="value")
            with zipfile.ZipFile(damaged, "w") as dst:
                for name in src.namelist():
                    blob = json.dumps(fields).encode() if name == "data" else src.read(name)
                    dst.writestr(name, blob)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agent = works_or_explains(lambda: Agent.load(damaged, env="CartPole-v1"))
    if agent is not None:
        assert np.isin(agent.predict(np.zeros((2, 4), np.float32))[0], [0, 1]).all()


# ------------------------------------------------------------------------------- tables
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    text=st.text(alphabet='ab,1.5-e\n\r"x ', max_size=80),
    target=st.sampled_from([None, "a", "b", "zz"]),
)
def test_load_csv(tmp_path, text, target):
    path = tmp_path / "t.csv"
    path.write_text(text)
    works_or_explains(lambda: load_csv(path, target))


# ------------------------------------------------------------------------------- envs
RETURNS = st.sampled_from(
    ["ok", "short", "float64", "wrong_shape", "reward_str", "no_info", "list_obs", "nan"]
)


class _GeneratedEnv(gym.Env):
    """A 3-feature env whose reset/step break in the way ``mode`` says."""

    def __init__(self, reset_mode: str, step_mode: str) -> None:
        self.observation_space = spaces.Box(-1.0, 1.0, (3,), np.float32)
        self.action_space = spaces.Discrete(2)
        self.reset_mode, self.step_mode = reset_mode, step_mode

    def _obs(self, mode: str):
        obs = np.zeros(3, np.float32)
        return {
            "float64": obs.astype(np.float64),
            "wrong_shape": np.zeros(4, np.float32),
            "list_obs": [0.0, 0.0, 0.0],
            "nan": np.full(3, np.nan, np.float32),
        }.get(mode, obs)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        if self.reset_mode == "short":
            return self._obs("ok")
        return (self._obs(self.reset_mode), {}) if self.reset_mode != "no_info" else (
            self._obs("ok"), None)  # fmt: skip

    def step(self, action):
        obs = self._obs(self.step_mode)
        if self.step_mode == "short":
            return obs, 0.0, False, {}
        reward = "1" if self.step_mode == "reward_str" else 0.0
        info = None if self.step_mode == "no_info" else {}
        return obs, reward, False, False, info


@given(reset_mode=RETURNS, step_mode=RETURNS)
def test_validate_env_on_broken_return_tuples(reset_mode, step_mode):
    env = _GeneratedEnv(reset_mode, step_mode)
    result = works_or_explains(lambda: validate_env(env, algo="ppo") or True)
    if reset_mode == step_mode == "ok":
        assert result is True


@pytest.fixture(scope="module")
def line_agent():
    from paradigms.reinforcement import Agent
    from paradigms.reinforcement.envs import LineTargetEnv

    return Agent(LineTargetEnv, algo="ppo", seed=0, n_steps=16, batch_size=16, n_epochs=1)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(observation=arrays(max_rows=3))
def test_agent_predict_and_attribute_out_of_space_observations(line_agent, observation):
    actions = works_or_explains(lambda: line_agent.predict(observation)[0])
    if actions is not None:
        assert np.isin(np.asarray(actions), [0, 1, 2]).all()
    works_or_explains(lambda: line_agent.attribute(observation))


def test_profile_runs_at_least_500_cases():
    tests = [v for k, v in globals().items() if k.startswith("test_") and hasattr(v, "hypothesis")]
    assert len(tests) * settings().max_examples >= 500
