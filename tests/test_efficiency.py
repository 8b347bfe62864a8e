"""Efficiency harness: report structure, analytic FLOP counts, parameter counting, memory
accounting and paper B's real-time rule. Timings are never asserted (they belong to
benchmarks, not tests); only their presence, types and internal consistency."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from harlib.deploy.efficiency import (count_parameters, cpu_latency, efficiency_report,
                                      flops_per_window, fresh_process_memory_mb,
                                      parameter_memory_mb, peak_memory_mb, process_peak_rss_mb,
                                      realtime_ok)

torch.set_num_threads(1)


class TinyNet(nn.Module):
    """(batch, channels, time) → logits, like every harlib model."""

    def __init__(self, in_channels=3, n_classes=4):
        super().__init__()
        self.conv = nn.Conv1d(in_channels, 8, 5, padding=2)
        self.bn = nn.BatchNorm1d(8)
        self.fc = nn.Linear(8, n_classes)

    def forward(self, x):
        return self.fc(torch.relu(self.bn(self.conv(x))).mean(dim=-1))


# --- parameters -----------------------------------------------------------------------------

def test_count_parameters():
    assert count_parameters(nn.Linear(10, 3)) == 33
    model = TinyNet()
    expected = (3 * 8 * 5 + 8) + (8 + 8) + (8 * 4 + 4)
    assert count_parameters(model) == expected
    model.conv.requires_grad_(False)
    assert count_parameters(model, trainable_only=True) == expected - (3 * 8 * 5 + 8)
    assert count_parameters(model) == expected


def test_shared_parameters_counted_once():
    lin = nn.Linear(4, 4)
    assert count_parameters(nn.Sequential(lin, lin)) == 20


def test_parameter_memory_includes_buffers():
    model = TinyNet()
    n_buffers = sum(b.numel() for b in model.buffers())       # BN running stats + counter
    assert parameter_memory_mb(model) == pytest.approx(
        (count_parameters(model) * 4 + (n_buffers - 1) * 4 + 8) / 2 ** 20)


# --- FLOPs --------------------------------------------------------------------------------

def test_flops_linear_is_analytic():
    # a Linear over the last (time) axis of a (1, C, L) window: C·L inputs rows of length L
    c, length, out = 3, 16, 5
    assert flops_per_window(nn.Linear(length, out), c, length) == 2 * c * length * out


@pytest.mark.parametrize("cin,cout,k,stride,groups,length", [
    (4, 8, 5, 1, 1, 20),
    (8, 8, 3, 2, 4, 20),
    (6, 6, 7, 1, 6, 33),                       # depthwise
])
def test_flops_conv1d_is_analytic(cin, cout, k, stride, groups, length):
    conv = nn.Conv1d(cin, cout, k, stride=stride, padding=k // 2, groups=groups)
    l_out = (length + 2 * (k // 2) - k) // stride + 1
    assert flops_per_window(conv, cin, length) == 2 * cout * l_out * (cin // groups) * k


def test_flops_of_a_network_add_up_and_mode_is_restored():
    model = TinyNet(3, 4).train()
    flops = flops_per_window(model, 3, 50)
    assert flops == 2 * 8 * 50 * 3 * 5 + 2 * 8 * 4      # conv + linear; BN/ReLU not counted
    assert model.training


# --- latency --------------------------------------------------------------------------------

def test_cpu_latency_structure_and_threads_restored():
    model = TinyNet().train()
    before = torch.get_num_threads()
    lat = cpu_latency(model, 3, 40, batch=2, threads=1, warmup=1, repeats=4)
    assert torch.get_num_threads() == before
    assert model.training
    assert {"median_ms", "p90_ms", "mean_ms", "min_ms", "max_ms", "per_window_ms", "batch",
            "threads", "warmup", "repeats", "in_channels", "length"} <= set(lat)
    assert lat["batch"] == 2 and lat["threads"] == 1 and lat["repeats"] == 4
    assert lat["in_channels"] == 3 and lat["length"] == 40
    assert 0 <= lat["min_ms"] <= lat["median_ms"] <= lat["p90_ms"] <= lat["max_ms"]
    assert lat["per_window_ms"] == pytest.approx(lat["median_ms"] / 2)
    assert all(math.isfinite(v) for k, v in lat.items() if k.endswith("_ms"))


def test_cpu_latency_rejects_bad_settings():
    with pytest.raises(ValueError):
        cpu_latency(TinyNet(), 3, 40, threads=0)
    with pytest.raises(ValueError):
        cpu_latency(TinyNet(), 3, 40, repeats=0)
    with pytest.raises(ValueError):
        cpu_latency(TinyNet(), 3, 40, batch=0)


# --- memory ---------------------------------------------------------------------------------

def test_peak_memory_counts_live_activations():
    # conv1 output and ReLU output (not in place) are alive together, then conv2's output
    # replaces the first: peak = two (batch, 64, length) float32 maps.
    model = nn.Sequential(nn.Conv1d(9, 64, 5, padding=2), nn.ReLU(),
                          nn.Conv1d(64, 64, 5, padding=2))
    batch, length = 4, 128
    one_map = batch * 64 * length * 4 / 2 ** 20
    peak = peak_memory_mb(model, 9, length, batch)
    assert one_map <= peak <= 4 * one_map
    assert peak_memory_mb(model, 9, length, 4 * batch) > peak


def test_process_rss_is_positive():
    assert process_peak_rss_mb() > 0


def test_fresh_process_memory_grows_with_the_batch():
    # cnn1d's first feature map alone is 64 × 128 × 4 B = 32 KiB per window; 4,000 windows
    # put well over 100 MiB of activations on top of the interpreter and PyTorch.
    ballast = np.ones(64 * 2 ** 20 // 8 * 8)   # 512 MiB in this (parent) process
    small = fresh_process_memory_mb("cnn1d", 9, 6, 128, batch=1, repeats=2)
    # The child's figure is its own, not the parent's peak carried across fork/exec.
    assert small < process_peak_rss_mb() - 400
    del ballast
    large = fresh_process_memory_mb("cnn1d", 9, 6, 128, batch=4000, repeats=2)
    assert small > 20
    assert large > small + 50


def test_fresh_process_memory_reports_the_childs_error():
    with pytest.raises(RuntimeError, match="no_such_model"):
        fresh_process_memory_mb("no_such_model", 9, 6, 128, repeats=1)
    with pytest.raises(ValueError, match="≥ 1"):
        fresh_process_memory_mb("cnn1d", 9, 6, 0)


# --- real-time rule -------------------------------------------------------------------------

def test_realtime_rule_arithmetic():
    # WISDM-style 4 s window: budget = 5 % = 200 ms
    assert realtime_ok(199.9, 4.0)
    assert not realtime_ok(200.0, 4.0)                   # "under", not "at most"
    assert not realtime_ok(250.0, 4.0)
    # 128 samples at 50 Hz = 2.56 s → 128 ms
    assert realtime_ok(127.0, 128 / 50)
    assert not realtime_ok(129.0, 128 / 50)
    assert realtime_ok(399.0, 4.0, fraction=0.1)
    assert realtime_ok(0.0, 0.5)


def test_realtime_rule_rejects_nonsense():
    with pytest.raises(ValueError):
        realtime_ok(1.0, 0.0)
    with pytest.raises(ValueError):
        realtime_ok(1.0, 2.0, fraction=0.0)
    with pytest.raises(ValueError):
        realtime_ok(-1.0, 2.0)


# --- report ---------------------------------------------------------------------------------

REPORT_KEYS = {
    "model", "in_channels", "length", "sampling_rate", "window_seconds", "params",
    "trainable_params", "param_memory_mb", "flops", "mflops", "latency_median_ms",
    "latency_p90_ms", "latency_mean_ms", "batch", "batch_latency_median_ms",
    "batch_latency_p90_ms", "per_window_ms", "peak_memory_mb", "threads", "warmup",
    "repeats", "budget_ms", "realtime_fraction", "realtime_ok", "torch_version", "machine",
}


def test_efficiency_report_structure():
    model = TinyNet(3, 4).train()
    before = torch.get_num_threads()
    rep = efficiency_report(model, 3, 128, 50.0, warmup=1, repeats=3)
    assert set(rep) == REPORT_KEYS
    assert rep["model"] == "TinyNet"
    assert rep["window_seconds"] == pytest.approx(2.56)
    assert rep["budget_ms"] == pytest.approx(128.0)
    assert rep["params"] == count_parameters(model)
    assert rep["flops"] == flops_per_window(model, 3, 128)
    assert rep["mflops"] == pytest.approx(rep["flops"] / 1e6)
    assert rep["batch"] == 1 and rep["threads"] == 1 and rep["repeats"] == 3
    assert rep["batch_latency_median_ms"] == rep["latency_median_ms"]
    assert rep["realtime_ok"] == (rep["latency_median_ms"] < rep["budget_ms"])
    assert isinstance(rep["realtime_ok"], bool)
    assert rep["peak_memory_mb"] > 0
    assert model.training and torch.get_num_threads() == before


def test_efficiency_report_with_batch():
    rep = efficiency_report(TinyNet(3, 4), 3, 60, 20.0, batch=3, warmup=0, repeats=2,
                            fraction=0.1)
    assert rep["batch"] == 3
    assert rep["per_window_ms"] == pytest.approx(rep["batch_latency_median_ms"] / 3)
    assert rep["budget_ms"] == pytest.approx(0.1 * 3.0 * 1000)
    with pytest.raises(ValueError):
        efficiency_report(TinyNet(3, 4), 3, 60, 0.0)


def test_report_on_a_zoo_model():
    import harlib.models.elk  # noqa: F401
    from harlib.models.base import create_model

    model = create_model("elk", 6, 5, 100)
    rep = efficiency_report(model, 6, 100, 50.0, warmup=0, repeats=1)
    assert rep["model"] == "ELK" and rep["params"] == count_parameters(model)
    assert rep["flops"] > 0


def test_recurrent_layers_are_counted():
    from harlib.deploy.efficiency import flops_per_window

    class Rec(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(3, 8, num_layers=2, batch_first=True)
            self.gru = torch.nn.GRU(8, 4)

        def forward(self, x):                       # (1, 3, T) → time-major for the GRU
            h, _ = self.lstm(x.transpose(1, 2))
            out, _ = self.gru(h.transpose(0, 1))
            return out

    T = 10
    lstm = 2 * 4 * 8 * (3 + 8) * T + 2 * 4 * 8 * (8 + 8) * T
    gru = 2 * 3 * 4 * (8 + 4) * T
    assert flops_per_window(Rec(), 3, T) == lstm + gru


def test_cuda_latency_says_what_is_missing_without_cuda():
    import torch
    from harlib.deploy.efficiency import cuda_latency_ms
    from harlib.models import create_model
    if torch.cuda.is_available():
        out = cuda_latency_ms(create_model("cnn1d", 3, 4, 32), 3, 32, repeats=3, warmup=1)
        assert out["median_ms"] > 0 and out["peak_allocated_mb"] > 0
    else:
        with pytest.raises(RuntimeError, match="needs a CUDA device"):
            cuda_latency_ms(create_model("cnn1d", 3, 4, 32), 3, 32)


def test_latency_rounds_and_table5_rounds():
    from harlib.deploy.efficiency import latency_rounds
    from harlib.papers.usad import table5_rounds
    from harlib.models import create_model
    model = create_model("cnn1d", 3, 4, 32)
    df = latency_rounds(model, 3, 32, rounds=3, per_round=4, warmup=1)
    assert list(df["round"]) == [0, 1, 2]
    assert (df.single_ms > 0).all() and (df.consecutive_ms > df.single_ms).all()
    with pytest.raises(ValueError, match="rounds"):
        latency_rounds(model, 3, 32, rounds=0)
    t = table5_rounds(["lstm", "not_in_table5"], rounds=2, per_round=2)
    assert set(t.model) == {"lstm"} and len(t) == 4             # 2 settings × 2 rounds
    assert sorted(t.budget_ms.unique()) == [50.0, 225.0]        # 5 % of 1 s and of 4.5 s
    assert (t.realtime_ok == (t.single_ms < t.budget_ms)).all()
    from harlib.report import plotting
    fig = plotting.latency_rounds(t)
    assert len(fig.axes) == 2 and fig.axes[0].get_yscale() == "log"
