"""Paper B's statistics-guided conditional diffusion augmenter (harlib.training.diffusion)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from harlib.training.augment import AUGMENTERS
from harlib.training.diffusion import (AdaGN, Denoiser, StatDiffusion, conditioning,
                                       cosine_schedule, loss_weights)
from harlib.data.normalization import Standardizer


@pytest.fixture(scope="module")
def real_train(basicmotions_windows):
    ws, split = basicmotions_windows
    return Standardizer().fit_transform(ws.X[split.train]), ws.y[split.train]


@pytest.fixture(scope="module")
def fitted(real_train):
    X, y = real_train
    return StatDiffusion(epochs=30, sample_steps=20).fit(X, y, seed=0)


def test_registered():
    assert AUGMENTERS.get("diffusion") is StatDiffusion


def test_cosine_schedule_properties():
    betas, abar = cosine_schedule(200)
    assert betas.shape == abar.shape == (200,)
    assert np.all(np.diff(abar) < 0)                       # strictly decreasing
    assert abar[0] > 0.999 and abar[-1] < 1e-4              # from ~1 to ~0
    assert np.all(betas > 0) and np.all(betas <= 0.999)
    assert betas[-1] == pytest.approx(0.999)               # the last beta is clipped
    np.testing.assert_allclose(abar, np.cumprod(1 - betas))  # eq. 5: ᾱ_t = Π(1 − β_s)
    for bad in (1, 0, 2.5):
        with pytest.raises(ValueError, match="steps"):
            cosine_schedule(bad)


def test_loss_weights():
    _, abar = cosine_schedule(100)
    w = loss_weights(abar, "min_snr")
    assert np.all((w > 0) & (w <= 1)) and w[-1] == 1 and w[0] < 0.01
    assert np.all(loss_weights(abar, "uniform") == 1)
    r = loss_weights(abar, "reading")
    assert np.isfinite(r).all() and r.mean() == pytest.approx(1)
    with pytest.raises(ValueError, match="weighting"):
        loss_weights(abar, "snr")


def test_conditioning_tensor():
    x = torch.randn(5, 3, 40) * 2 + 1
    f = conditioning(x)
    assert f.shape == (5, 12, 40)
    mu, sd, sk, z = f[:, 0:3], f[:, 3:6], f[:, 6:9], f[:, 9:12]
    for block in (mu, sd, sk):                             # eq. 3: replicated over time
        assert torch.all(block == block[..., :1])
    torch.testing.assert_close(mu[..., 0], x.mean(2))
    torch.testing.assert_close(sd[..., 0], x.std(2, unbiased=False))
    torch.testing.assert_close(mu + sd * z, x, atol=1e-5, rtol=1e-5)   # eq. 2
    xc = x - x.mean(2, keepdim=True)
    skew = (xc ** 3).mean(2) / (xc ** 2).mean(2) ** 1.5
    torch.testing.assert_close(sk[..., 0], skew, atol=1e-4, rtol=1e-4)
    with pytest.raises(ValueError, match="channels, time"):
        conditioning(torch.zeros(3, 40))


def test_adagn_shape_and_label_conditioning():
    torch.manual_seed(0)
    norm = AdaGN(16, 128)
    h = torch.randn(4, 16, 30)
    assert norm(h, torch.randn(4, 128)).shape == h.shape
    net = Denoiser(channels=3, n_classes=4, width=16)
    t = torch.full((2,), 50)
    e = net.embed(t, torch.tensor([0, 1]))
    h2 = torch.randn(1, 16, 30).expand(2, -1, -1)
    out = net.blocks[0].n1(h2, e)
    assert out.shape == h2.shape and not torch.allclose(out[0], out[1])
    x = torch.randn(1, 3, 30).expand(2, -1, -1)
    f = conditioning(x)
    y_out = net(x, t, f, torch.tensor([0, 2]))
    assert y_out.shape == x.shape and not torch.allclose(y_out[0], y_out[1])


def test_training_loss_decreases_on_real_windows(real_train):
    X, y = real_train
    aug = StatDiffusion(epochs=8).fit(X, y, seed=0)
    assert len(aug.history_) == 8 and np.isfinite(aug.history_).all()
    assert aug.history_[-1] < 0.8 * aug.history_[0]


def test_samples_have_counts_shape_and_plausible_scale(fitted, real_train):
    X, y = real_train
    counts = np.array([3, 0, 7, 5])
    Xs, ys = fitted.sample(counts, seed=1)
    assert Xs.shape == (15, *X.shape[1:]) and Xs.dtype == np.float32
    assert np.bincount(ys, minlength=4).tolist() == counts.tolist()
    assert np.isfinite(Xs).all()
    Xb, yb = fitted.sample(np.bincount(y), seed=2)         # the real class mix
    ratio = Xb.std(axis=(0, 2)) / X.std(axis=(0, 2))
    assert np.all((ratio > 0.5) & (ratio < 2.0)), ratio
    # class conditioning: the two quiet real classes stay the quiet ones
    per_class = [Xb[yb == c].std() for c in range(4)]
    real = [X[y == c].std() for c in range(4)]
    assert set(np.argsort(per_class)[:2]) == set(np.argsort(real)[:2])
    empty, ey = fitted.sample(np.zeros(4, int), seed=1)
    assert empty.shape == (0, *X.shape[1:]) and len(ey) == 0


def test_deterministic_given_seed(real_train):
    X, y = real_train
    a = StatDiffusion(epochs=2, sample_steps=5).fit(X, y, seed=3)
    torch.manual_seed(123)                                  # global RNG state must not matter
    b = StatDiffusion(epochs=2, sample_steps=5).fit(X, y, seed=3)
    counts = np.array([2, 2, 2, 2])
    xa, ya = a.sample(counts, seed=7)
    xb, yb = b.sample(counts, seed=7)
    np.testing.assert_array_equal(xa, xb)
    np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(xa, a.sample(counts, seed=8)[0])
    # the stored state restores the same generator
    c = StatDiffusion(epochs=2, sample_steps=5).load_state_dict(a.state_dict())
    np.testing.assert_array_equal(c.sample(counts, seed=7)[0], xa)


def test_state_dict_contents(fitted):
    state = fitted.state_dict()
    assert all(torch.is_tensor(v) for v in state.values())
    assert any(k.startswith("denoiser.") for k in state)
    assert state["stats.prototypes"].shape == (4, 6, 3)     # class × channel × (μ, σ, γ)


@pytest.mark.parametrize("kwargs,match", [
    ({"epochs": 0}, "epochs"), ({"epochs": 1.5}, "epochs"), ({"batch_size": 0}, "batch_size"),
    ({"lr": 0}, "lr"), ({"lr": "fast"}, "lr"), ({"steps": 1}, "steps"),
    ({"sample_steps": 0}, "sample_steps"), ({"steps": 10, "sample_steps": 20}, "sample_steps"),
    ({"width": 4}, "width"), ({"width": 20}, "width"), ({"weighting": "snr"}, "weighting"),
    ({"cond_drop": 1.0}, "cond_drop"), ({"epoch_windows": 0}, "epoch_windows"),
    ({"epoch_windows": 2.5}, "epoch_windows"), ({"epoch_windows": True}, "epoch_windows")])
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        StatDiffusion(**kwargs)


def test_bad_inputs(fitted):
    rng = np.random.default_rng(0)
    with pytest.raises(RuntimeError, match="before fit"):
        StatDiffusion().sample(np.array([1]), seed=0)
    with pytest.raises(ValueError, match="too short"):
        StatDiffusion(epochs=1).fit(rng.normal(size=(10, 3, 5)).astype(np.float32),
                                    np.zeros(10, int), seed=0)
    with pytest.raises(ValueError, match="labels"):
        StatDiffusion(epochs=1).fit(rng.normal(size=(10, 3, 20)).astype(np.float32),
                                    np.zeros(9, int), seed=0)
    with pytest.raises(ValueError, match="fitted on 6 channels"):
        fitted.sample(np.array([1, 1]), seed=0, channels=3)
    with pytest.raises(ValueError, match=r"classes \[4\]"):
        fitted.sample(np.array([1, 0, 0, 0, 2]), seed=0)     # class 4 never seen
    with pytest.raises(ValueError, match="non-negative"):
        fitted.sample(np.array([1, -1]), seed=0)
    with pytest.raises(ValueError, match="length"):
        fitted.sample(np.array([1]), seed=0, length=4)
    assert fitted.sample(np.array([1, 0, 0, 0, 0]), seed=0)[0].shape == (1, 6, 50)


def test_end_to_end_pretrain_finetune_stores_the_augmentation(basicmotions_windows, tmp_path):
    from harlib.training.runs import RunStore
    from harlib.training.train import TrainConfig, fit
    ws, split = basicmotions_windows
    store = RunStore(tmp_path)
    cfg = TrainConfig(max_epochs=1, batch_size=16, trainer="pretrain_finetune",
                      augment="diffusion",
                      augment_kwargs={"amount": 0.5, "epochs": 1, "sample_steps": 5},
                      pretrain_epochs=1)
    run = fit("cnn1d", ws, split, cfg, store=store)
    aug_key = run.record["augmentation"]["run_key"]
    assert store.has(aug_key)
    stored = store.load_result(aug_key)
    assert stored["kind"] == "augmentation" and stored["augmenter"] == "diffusion"
    assert stored["n_synthetic"] == run.record["augmentation"]["n_synthetic"] > 0
    state = store.load_state_dict(aug_key)
    assert "stats.prototypes" in state and any(k.startswith("denoiser.") for k in state)
    assert fit("cnn1d", ws, split, cfg, store=store).cached


def test_epoch_windows_draws_each_epoch_afresh_from_every_window(real_train, monkeypatch):
    """``epoch_windows`` trains each denoiser epoch on that many windows drawn from all of
    them (different ones each epoch); the class prototypes still use every window, and
    without it the fit is the one every committed run made."""
    X, y = real_train
    n = len(y)
    seen = []
    from harlib.training import diffusion
    real_predict = diffusion.predict_noise

    def counting(model, x_t, *args):
        seen.append(len(x_t))
        return real_predict(model, x_t, *args)
    monkeypatch.setattr("harlib.training.diffusion.predict_noise", counting)
    drawn = StatDiffusion(epochs=3, batch_size=8, epoch_windows=20).fit(X, y, seed=0)
    assert sum(seen) == 3 * 20 and len(drawn.history_) == 3
    full = StatDiffusion(epochs=1, batch_size=8).fit(X, y, seed=0)
    torch.testing.assert_close(drawn.prototypes_, full.prototypes_)
    seen.clear()
    StatDiffusion(epochs=1, batch_size=8, epoch_windows=10 * n).fit(X, y, seed=0)   # more than there are
    assert sum(seen) == n
    a = StatDiffusion(epochs=1, batch_size=8).fit(X, y, seed=0)
    b = StatDiffusion(epochs=1, batch_size=8, epoch_windows=None).fit(X, y, seed=0)
    for k, v in a.model.state_dict().items():
        torch.testing.assert_close(v, b.model.state_dict()[k], rtol=0, atol=0)


def test_synthetic_label_counts_balanced_or_proportional():
    """Eq. 13 of paper B draws synthetic labels uniformly: {"ratio": r, "labels": "uniform"}
    makes r × the training windows in all, spread evenly over the classes present."""
    from harlib.training.augment import counts_per_class
    y = np.array([0] * 23 + [1] * 1 + [3] * 6)          # 23:1 imbalance, class 2 absent
    assert counts_per_class(y, 4, 1.0).tolist() == [23, 1, 0, 6]
    uniform = counts_per_class(y, 4, {"ratio": 1.0, "labels": "uniform"})
    assert uniform.tolist() == [10, 10, 0, 10] and uniform.sum() == len(y)
    assert counts_per_class(y, 4, {"ratio": 0.5, "labels": "uniform"}).tolist() == [5, 5, 0, 5]
    assert counts_per_class(y, 4, {"ratio": 1.0, "labels": "proportional"}).tolist() == [23, 1, 0, 6]
    assert counts_per_class(y, 4, "balance").tolist() == [0, 22, 0, 17]
    for bad in ({"ratio": 1.0, "labels": "zipf"}, {"ratio": 0}, -1.0, True,
                {"ratio": 1.0, "labels": "uniform", "cap": 3}):
        with pytest.raises(ValueError, match="amount must be"):
            counts_per_class(y, 4, bad)
    # at_most caps the total; the classes are scaled alike
    assert counts_per_class(y, 4, {"ratio": 1.0, "labels": "uniform", "at_most": 7}).tolist() == [3, 2, 0, 2]
    assert counts_per_class(y, 4, {"ratio": 1.0, "labels": "uniform", "at_most": 300}).tolist() == [10, 10, 0, 10]
    capped = counts_per_class(y, 4, {"ratio": 2.0, "labels": "proportional", "at_most": 15})
    assert capped.tolist() == [11, 0, 0, 3] and capped.sum() <= 15
    for bad in (0, -3, 2.5, True, "10"):
        with pytest.raises(ValueError, match=r"amount\['at_most'\] must be a positive integer"):
            counts_per_class(y, 4, {"ratio": 1.0, "labels": "uniform", "at_most": bad})


def test_fit_on_a_named_device_draws_the_same_and_returns_to_the_cpu(real_train):
    """``device`` moves the training, not the randomness: on the CPU named explicitly the fit
    equals the default one bit for bit, and the fitted denoiser lives on the CPU."""
    import torch
    from harlib.training.diffusion import StatDiffusion
    X, y = real_train
    a = StatDiffusion(epochs=1, steps=10, sample_steps=2).fit(X[:64], y[:64], seed=0)
    b = StatDiffusion(epochs=1, steps=10, sample_steps=2).fit(X[:64], y[:64], seed=0, device="cpu")
    assert a.history_ == b.history_
    assert all(torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters()))
    assert next(b.model.parameters()).device.type == "cpu"
