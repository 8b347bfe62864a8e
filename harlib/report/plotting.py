"""Figures used by the notebooks (matplotlib/seaborn); each returns the Figure."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..data.base import UNLABELLED, HARDataset


def class_balance(datasets: list[HARDataset], ncols: int = 2):
    """Minutes of labelled data per class, one panel per dataset."""
    nrows = int(np.ceil(len(datasets) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(6 * ncols, 3.2 * nrows), squeeze=False)
    for ax, ds in zip(axes.flat, datasets):
        counts = {k: v for k, v in ds.sample_counts().items() if k != "(unlabelled)"}
        minutes = pd.Series(counts) / ds.sampling_rate / 60
        ax.barh(minutes.index, minutes.values, color="tab:blue")
        ax.invert_yaxis()
        ax.set_title(f"{ds.name} ({len(ds.subjects)} subjects)")
        ax.set_xlabel("minutes of labelled data")
        ax.tick_params(axis="y", labelsize=7)
    for ax in list(axes.flat)[len(datasets):]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def signal_with_labels(ds: HARDataset, recording: int = 0, channels: list[int] | None = None,
                       seconds: tuple[float, float] | None = None):
    """Signals of one recording over time, with labelled segments shaded and named."""
    rec = ds.recordings[recording]
    channels = channels if channels is not None else list(range(min(6, ds.n_channels)))
    t = np.arange(len(rec)) / ds.sampling_rate
    sl = slice(None) if seconds is None else slice(int(seconds[0] * ds.sampling_rate),
                                                   int(seconds[1] * ds.sampling_rate))
    fig, ax = plt.subplots(figsize=(11, 3.5))
    for c in channels:
        ax.plot(t[sl], rec.signals[sl, c], lw=0.7, label=ds.channels[c].name)
    labels = rec.labels[sl]
    tt = t[sl]
    change = np.flatnonzero(np.diff(labels)) + 1
    cmap = plt.get_cmap("tab20")
    for a, b in zip(np.r_[0, change], np.r_[change, len(labels)]):
        lab = int(labels[a])
        if lab == UNLABELLED:
            continue
        ax.axvspan(tt[a], tt[b - 1], color=cmap(lab % 20), alpha=0.18, lw=0)
        if b - a > 0.04 * len(labels):
            ax.text((tt[a] + tt[b - 1]) / 2, 1.01, ds.class_names[lab], rotation=30, fontsize=7,
                    ha="left", va="bottom", transform=ax.get_xaxis_transform())
    ax.set_xlabel("time (s)")
    ax.set_title(f"{ds.name} — {rec.session} (subject {rec.subject})", pad=40)
    ax.legend(fontsize=7, ncol=len(channels), loc="lower right")
    fig.tight_layout()
    return fig


def protocol_comparison(summary: pd.DataFrame, metric: str = "f1_macro", by: str = "protocol",
                        reference=None):
    """Bars of ``metric`` (mean ± std) per model, one bar per value of column ``by``, one
    panel per dataset. ``reference``: optional {(dataset, model): value}, drawn as a star."""
    datasets = list(dict.fromkeys(summary["dataset"]))
    fig, axes = plt.subplots(1, len(datasets), figsize=(5 * len(datasets), 3.8), squeeze=False)
    groups = list(dict.fromkeys(summary[by]))
    width = 0.8 / len(groups)
    starred = False
    for ax, ds in zip(axes.flat, datasets):
        sub = summary[summary["dataset"] == ds]
        models = list(dict.fromkeys(sub["model"]))
        x = np.arange(len(models))
        for i, g in enumerate(groups):
            rows = sub[sub[by] == g].set_index("model").reindex(models)
            ax.bar(x + (i - (len(groups) - 1) / 2) * width, rows[f"{metric}_mean"], width,
                   yerr=rows[f"{metric}_std"].fillna(0), capsize=3, label=str(g))
        for j, m in enumerate(models):
            if reference and (ds, m) in reference:
                ax.plot(j + (len(groups) - 1) / 2 * width, reference[(ds, m)], marker="*", ms=12,
                        color="k", ls="none",
                        label=None if starred else "published, subject-independent (WHAR Arena v1)")
                starred = True
        ax.set_xticks(x, models)
        ax.set_ylim(0, 1.05)
        ax.set_title(ds)
        ax.set_ylabel(metric.replace("_", " "))
    handles = {}
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    fig.legend(list(handles.values()), list(handles), loc="lower center", ncol=len(handles),
               bbox_to_anchor=(0.5, -0.08))
    fig.tight_layout()
    return fig


def f1_vs_cost(summary: pd.DataFrame, eff: pd.DataFrame, datasets: list[str] | None = None,
               metric: str = "f1_macro"):
    """Mean ``metric`` against cost, one row of panels per dataset: single-window latency
    (left) and parameters (right), both on log axes, each point named by its model.
    ``summary``: ``dataset``, ``model``, ``{metric}_mean`` (``harlib.training.experiment.summarize``);
    ``eff``: ``dataset``, ``model``, ``latency_median_ms``, ``params``
    (``harlib.deploy.efficiency.efficiency_table``)."""
    datasets = list(datasets) if datasets is not None else list(dict.fromkeys(summary["dataset"]))
    merged = summary.merge(eff, on=["dataset", "model"])
    col_mean = f"{metric}_mean"
    fig, axes = plt.subplots(len(datasets), 2, figsize=(12, 4 * len(datasets)), squeeze=False)
    for row, name in zip(axes, datasets):
        sub = merged[merged.dataset == name]
        for ax, col, label in ((row[0], "latency_median_ms", "latency, 1 window, 1 thread (ms)"),
                               (row[1], "params", "parameters")):
            ax.scatter(sub[col], sub[col_mean])
            for _, r in sub.iterrows():
                ax.annotate(r.model, (r[col], r[col_mean]), fontsize=7, xytext=(3, 3),
                            textcoords="offset points")
            ax.set_xscale("log")
            ax.set_xlabel(label)
            ax.set_ylabel("macro-F1" if metric == "f1_macro" else metric.replace("_", " "))
            ax.set_title(name)
    fig.tight_layout()
    return fig


def loss_weight_trajectories(hist: pd.DataFrame, names: tuple[str, ...], by: str = "fold"):
    """One panel per loss term: its weight over the epochs, one line per ``by`` value
    (``hist`` from :func:`harlib.training.experiment.histories`, columns ``weight_0``, …)."""
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3.2), sharey=True, squeeze=False)
    for i, (ax, name) in enumerate(zip(axes[0], names)):
        for key, g in hist.groupby(by, sort=True):
            ax.plot(g["epoch"], g[f"weight_{i}"], marker="o", ms=3, label=f"{by} {key}")
        ax.set_title(name)
        ax.set_xlabel("epoch")
    axes[0][0].set_ylabel("loss weight")
    axes[0][-1].legend(fontsize=7)
    fig.tight_layout()
    return fig


def training_curves(hist: pd.DataFrame, by: str, metrics: dict[str, str], title: str = ""):
    """One panel per history column in ``metrics`` (column → axis label): its mean over runs
    per epoch, one line per ``by`` value (``hist`` from :func:`harlib.training.experiment.histories`).
    Paper B's Fig. 8 shows training loss, validation score and ECE this way."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3.2), squeeze=False)
    for ax, (column, label) in zip(axes[0], metrics.items()):
        if column not in hist:
            raise KeyError(f"the histories have no column {column!r}; they have {sorted(hist.columns)}")
        for key, g in hist.groupby(by, sort=False):
            mean = g.groupby("epoch")[column].mean()
            ax.plot(mean.index, mean.values, marker="o", ms=3, label=str(key))
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
    axes[0][-1].legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def latency_rounds(rounds: pd.DataFrame, column: str = "single_ms", label: str = "single-window latency (ms)"):
    """Paper B's Fig. 7 in kind: one panel per ``setting``, each model's per-round latencies
    (``rounds`` from :func:`harlib.papers.usad.table5_rounds`) as points on a log scale, with
    the real-time budget as a dashed line."""
    settings = list(dict.fromkeys(rounds["setting"]))
    fig, axes = plt.subplots(1, len(settings), figsize=(6 * len(settings), 3.6), squeeze=False)
    for ax, setting in zip(axes[0], settings):
        t = rounds[rounds.setting == setting]
        models = list(dict.fromkeys(t["model"]))
        for i, m in enumerate(models):
            v = t.loc[t.model == m, column].to_numpy()
            ax.scatter(np.full(len(v), i) + np.linspace(-0.15, 0.15, len(v)), v, s=8)
        ax.axhline(float(t["budget_ms"].iloc[0]), ls="--", c="k", lw=1, label="5 % of the window")
        ax.set_yscale("log")
        ax.set_xticks(range(len(models)), models, rotation=60, ha="right", fontsize=8)
        ax.set_title(setting)
        ax.set_ylabel(label)
    axes[0][-1].legend(fontsize=7)
    fig.tight_layout()
    return fig


def stream_timeline(truth: np.ndarray, pred: np.ndarray, class_names, sampling_rate: float,
                    latency_ms: np.ndarray | None = None, title: str = ""):
    """A streamed recording: the true and the predicted activity per sample over time
    (unlabelled samples left blank) and, with ``latency_ms``, the distribution of the
    per-step latency."""
    n = 2 if latency_ms is not None else 1
    fig, axes = plt.subplots(1, n, figsize=(11 if n == 2 else 8, 3.6), squeeze=False,
                             gridspec_kw={"width_ratios": [3, 1][:n]})
    ax = axes[0][0]
    t = np.arange(len(truth)) / sampling_rate
    for values, label, style in ((truth, "true", {"lw": 3, "alpha": 0.5}), (pred, "predicted", {"lw": 1})):
        v = np.where(np.asarray(values) == UNLABELLED, np.nan, values).astype(float)
        ax.step(t, v, where="post", label=label, **style)
    ax.set_yticks(range(len(class_names)), class_names, fontsize=7)
    ax.set_xlabel("time (s)")
    ax.legend(fontsize=7, loc="upper right")
    if title:
        ax.set_title(title)
    if latency_ms is not None:
        ax = axes[0][1]
        ax.hist(latency_ms, bins=40)
        ax.set_xlabel("latency per step (ms)")
        ax.set_ylabel("steps")
    fig.tight_layout()
    return fig


def claims_chart(records: pd.DataFrame, panels: dict[str, list]):
    """The claims against ours, one panel per unit (``panels``: title → entries). Per entry
    (a claim id, or a tuple of ids that one measurement stands in for, drawn once): the
    paper's figure(s) as black diamonds, and ours under each protocol as a dot with its
    95 % interval; a hollow dot has fewer runs than a verdict needs (n < 3).
    ``records``: :func:`harlib.report.claim_records.read_claim_records`. A claim that
    ``records`` does not hold raises, rather than drawing an empty row."""
    from ..evaluation.intervals import MIN_RUNS
    named = [c for entries in panels.values() for e in entries for c in (e if isinstance(e, tuple) else (e,))]
    unknown = [c for c in dict.fromkeys(named) if c not in set(records.claim)]
    if unknown:
        raise ValueError(f"claims_chart: panels name claims that the records do not hold: {unknown}")
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.5), squeeze=False)
    marks = {"paper-style": ("tab:orange", "o", -0.12), "subject-independent": ("tab:blue", "s", 0.12)}
    for ax, (title, entries) in zip(axes[0], panels.items()):
        entries = [e if isinstance(e, tuple) else (e,) for e in entries]
        ys = np.arange(len(entries))[::-1]
        for y, ids in zip(ys, entries):
            rec = records[records.claim.isin(ids)]
            ax.scatter(rec.drop_duplicates("claim")["the paper reports"], [y] * rec.claim.nunique(),
                       c="k", marker="D", zorder=4, label="the paper reports")
            for protocol, (colour, marker, dy) in marks.items():
                r = rec[(rec.claim == ids[0]) & (rec.protocol == protocol)]
                if r.empty or not np.isfinite(r.ours.iloc[0]):
                    continue
                r = r.iloc[0]
                lo, hi = r["95 % CI low"], r["95 % CI high"]
                if np.isfinite(lo) and np.isfinite(hi):
                    ax.plot([lo, hi], [y + dy] * 2, c=colour, lw=1.5, zorder=3)
                full = r.n >= MIN_RUNS
                ax.scatter([r.ours], [y + dy], marker=marker, zorder=5, label=f"ours, {protocol}",
                           facecolors=colour if full else "white", edgecolors=colour)
        ax.set_yticks(ys, [" / ".join(ids) for ids in entries])
        ax.grid(axis="x", alpha=0.3)
        ax.set_title(title)
    handles, labels = axes[0][0].get_legend_handles_labels()
    keep = dict(zip(labels, handles))
    fig.legend(keep.values(), keep.keys(), loc="lower center", ncol=len(keep), fontsize=8,
               bbox_to_anchor=(0.5, 0.04))
    fig.text(0.5, 0.01, f"lines: 95 % intervals; hollow: fewer than {MIN_RUNS} runs", ha="center", fontsize=7)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig


def reconstruction(x: np.ndarray, x_hat: np.ndarray, channel_names, sampling_rate: float,
                   channels: list[int] | None = None, title: str = ""):
    """A window ``(channels, time)`` and its reconstruction, one panel per chosen channel."""
    x, x_hat = np.asarray(x), np.asarray(x_hat)
    if x.shape != x_hat.shape or x.ndim != 2:
        raise ValueError(f"window and reconstruction must be (channels, time) of one shape, got "
                         f"{x.shape} and {x_hat.shape}")
    channels = list(range(min(3, len(x)))) if channels is None else channels
    t = np.arange(x.shape[1]) / sampling_rate
    fig, axes = plt.subplots(len(channels), 1, figsize=(8, 1.8 * len(channels)), sharex=True,
                             squeeze=False)
    for ax, c in zip(axes[:, 0], channels):
        ax.plot(t, x[c], label="window", lw=1.2)
        ax.plot(t, x_hat[c], label="reconstruction", lw=1.2, ls="--")
        ax.set_ylabel(channel_names[c], fontsize=8)
    axes[0, 0].legend(fontsize=7, loc="upper right")
    axes[0, 0].set_title(title)
    axes[-1, 0].set_xlabel("time (s)")
    fig.tight_layout()
    return fig


def memory_usage(weights: np.ndarray, labels: np.ndarray, class_names):
    """Mean memory addressing weight per class (rows) and memory item (columns)."""
    weights, labels = np.asarray(weights), np.asarray(labels)
    if weights.ndim != 2 or len(weights) != len(labels):
        raise ValueError(f"weights must be (windows, items) with one label per window, got "
                         f"{weights.shape} and {labels.shape}")
    present = np.unique(labels)
    table = np.stack([weights[labels == c].mean(0) for c in present])
    fig, ax = plt.subplots(figsize=(10, 0.3 * len(present) + 1.5))
    im = ax.imshow(table, aspect="auto", cmap="viridis")
    ax.set_yticks(range(len(present)), [class_names[c] for c in present], fontsize=7)
    ax.set_xlabel("memory item")
    fig.colorbar(im, ax=ax, label="mean addressing weight")
    fig.tight_layout()
    return fig


def radar(table: pd.DataFrame, metrics: list[str], item: str = "model", labels: dict | None = None):
    """One polygon per row of ``table`` (e.g. paper B's Fig. 3): ``metrics`` on the spokes,
    values as given (e.g. %)."""
    if table.empty or not metrics:
        raise ValueError("radar needs at least one row and one metric")
    angles = np.linspace(0, 2 * np.pi, len(metrics), endpoint=False)
    closed = np.r_[angles, angles[:1]]
    fig, ax = plt.subplots(figsize=(6.5, 6.5), subplot_kw={"polar": True})
    for _, row in table.iterrows():
        values = [row[m] for m in metrics]
        ax.plot(closed, values + values[:1], lw=1.2, label=str(row[item]))
    ax.set_xticks(angles, [(labels or {}).get(m, m) for m in metrics], fontsize=8)
    ax.legend(loc="upper left", bbox_to_anchor=(1.05, 1.0), fontsize=7)
    fig.tight_layout()
    return fig


def confusion_grid(matrices: dict[str, np.ndarray], class_names, ncols: int = 4):
    """Row-normalised confusion matrices side by side (e.g. paper B's Fig. 4)."""
    if not matrices:
        raise ValueError("confusion_grid needs at least one matrix")
    n = len(matrices)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, min(n, ncols), figsize=(3.2 * min(n, ncols), 3.0 * nrows), squeeze=False)
    for ax, (name, cm) in zip(axes.ravel(), matrices.items()):
        ax.imshow(cm, vmin=0, vmax=1, cmap="Blues")
        ax.set_title(name, fontsize=9)
        ax.set_xticks(range(len(class_names)), class_names, rotation=90, fontsize=6)
        ax.set_yticks(range(len(class_names)), class_names, fontsize=6)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.supxlabel("predicted", fontsize=9)
    fig.supylabel("true", fontsize=9)
    fig.tight_layout()
    return fig


def embedding_grid(points: dict[str, tuple[np.ndarray, np.ndarray]], class_names, ncols: int = 4):
    """2-D embeddings (e.g. t-SNE; paper B's Fig. 5), one panel per model, coloured by class."""
    if not points:
        raise ValueError("embedding_grid needs at least one panel")
    n = len(points)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, min(n, ncols), figsize=(3.2 * min(n, ncols), 3.0 * nrows), squeeze=False)
    cmap = plt.get_cmap("tab20" if len(class_names) > 10 else "tab10")
    for ax, (name, (xy, y)) in zip(axes.ravel(), points.items()):
        for c in np.unique(y):
            ax.scatter(*xy[y == c].T, s=3, color=cmap(int(c) % cmap.N), label=class_names[int(c)])
        ax.set_title(name, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    handles, labels = axes.ravel()[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(6, len(labels)), fontsize=7, markerscale=3)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def real_vs_synthetic(X_real: np.ndarray, y_real: np.ndarray, X_syn: np.ndarray, y_syn: np.ndarray,
                      class_names, channel: int = 0, examples: int = 3, seed: int = 0):
    """One panel per class: a few real (blue) and synthetic (orange) windows of one channel,
    with each set's mean over the class's windows drawn thick."""
    classes = sorted(set(np.unique(y_real)) & set(np.unique(y_syn)))
    if not classes:
        raise ValueError("real and synthetic windows share no class")
    rng = np.random.default_rng(seed)
    ncols = min(3, len(classes))
    nrows = int(np.ceil(len(classes) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 2.4 * nrows), squeeze=False, sharex=True)
    for ax, c in zip(axes.ravel(), classes):
        for X, y, colour in ((X_real, y_real, "tab:blue"), (X_syn, y_syn, "tab:orange")):
            members = X[y == c, channel]
            for i in rng.choice(len(members), size=min(examples, len(members)), replace=False):
                ax.plot(members[i], color=colour, lw=0.6, alpha=0.5)
            ax.plot(members.mean(0), color=colour, lw=2)
        ax.set_title(class_names[int(c)], fontsize=9)
    for ax in axes.ravel()[len(classes):]:
        ax.axis("off")
    axes.ravel()[0].legend(handles=[plt.Line2D([], [], color="tab:blue", label="real"),
                                    plt.Line2D([], [], color="tab:orange", label="synthetic")], fontsize=7)
    fig.tight_layout()
    return fig
