"""Published figures that harlib's notebooks place beside their own measurements.

Nothing here is computed: every number is copied from the publication named beside it, so
that a table can show "the paper reports" next to what this project measured on real data.

- WHAR Arena v1 (teco-kit, 2026; arXiv 2606.13194), paper snapshot (its Figure 6):
  subject-independent macro-F1, mean over 10 subject groups.
- Paper B (USAD), Table 5: memory (MB) and parameter count of the baselines on WISDM and
  OPPORTUNITY, measured on a Raspberry Pi 5 with PyTorch 2.2.2.
"""
from __future__ import annotations

import math

WHAR_ARENA_DATASETS = ("uci_har", "hapt", "dsads", "pamap2", "opportunity", "wisdm")

# model → macro-F1 per dataset, in the order of WHAR_ARENA_DATASETS (WHAR Arena's own names).
WHAR_ARENA_V1_MACRO_F1: dict[str, tuple[float, ...]] = {
    "attend_discriminate": (0.941, 0.814, 0.862, 0.623, 0.614, 0.838),
    "cnn_har": (0.960, 0.848, 0.869, 0.621, 0.631, 0.814),
    "dana": (0.950, 0.836, 0.844, 0.603, 0.587, 0.855),
    "deepconv_lstm": (0.930, 0.773, 0.820, 0.558, 0.622, 0.840),
    "deepconv_lstm_attention": (0.926, 0.795, 0.838, 0.576, 0.652, 0.847),
    "deepconv_lstm_iswc": (0.900, 0.597, 0.857, 0.559, 0.651, 0.830),
    "dynamic_whar": (0.921, 0.794, 0.878, 0.642, 0.626, 0.819),
    "knn": (0.712, 0.663, 0.709, 0.490, 0.594, 0.512),
    "lstms_ensemble": (0.915, 0.734, 0.832, 0.518, 0.659, 0.842),
    "mlp_har": (0.932, 0.792, 0.843, 0.631, 0.747, 0.761),
    "mlp_mixer": (0.946, 0.805, 0.815, 0.478, 0.603, 0.830),
    "random_forest": (0.847, 0.671, 0.893, 0.651, 0.706, 0.716),
    "sa_har": (0.923, 0.757, 0.774, 0.590, 0.581, 0.651),
    "svm": (0.727, 0.639, 0.759, 0.480, 0.667, 0.592),
    "tinierhar": (0.952, 0.814, 0.864, 0.596, 0.659, 0.838),
    "tinyhar": (0.961, 0.810, 0.868, 0.622, 0.654, 0.850),
    "triple_cross_domain_attention": (0.960, 0.820, 0.856, 0.619, 0.706, 0.836),
}

# harlib model name → WHAR Arena model name, where both implement the same published model.
WHAR_ARENA_MODEL = {"deepconvlstm": "deepconv_lstm", "tinyhar": "tinyhar",
                    "random_forest": "random_forest", "knn": "knn", "svm": "svm"}

# harlib dataset → the WHAR Arena dataset it stands for (uci_har_hapt rebuilds UCI-HAR).
# OPPORTUNITY is left out: which label track WHAR Arena scores is not stated in the protocol
# facts we hold, and harlib has two (opportunity_locomotion, opportunity_gestures).
WHAR_ARENA_DATASET = {"uci_har": "uci_har", "uci_har_hapt": "uci_har", "hapt": "hapt",
                      "dsads": "dsads", "pamap2": "pamap2", "wisdm": "wisdm"}


def whar_arena_macro_f1(model: str, dataset: str) -> float:
    """WHAR Arena v1's published macro-F1 for a harlib model and dataset name.

    Raises ``KeyError`` (listing the dataset names it knows) for a dataset WHAR Arena v1's
    snapshot held here does not cover. For a covered dataset and a model WHAR Arena does
    not train, returns NaN — the documented marker of "no published figure for this model".
    """
    i = _whar_dataset_index(dataset)
    whar_model = WHAR_ARENA_MODEL.get(model)
    if whar_model is None:
        return math.nan
    return WHAR_ARENA_V1_MACRO_F1[whar_model][i]


def whar_arena_best(dataset: str) -> tuple[str, float]:
    """WHAR Arena v1's best published macro-F1 on the dataset a harlib dataset stands for,
    and the WHAR Arena model that reached it (``KeyError`` as :func:`whar_arena_macro_f1`)."""
    i = _whar_dataset_index(dataset)
    model = max(WHAR_ARENA_V1_MACRO_F1, key=lambda m: WHAR_ARENA_V1_MACRO_F1[m][i])
    return model, WHAR_ARENA_V1_MACRO_F1[model][i]


def _whar_dataset_index(dataset: str) -> int:
    """Position in WHAR_ARENA_DATASETS of the dataset a harlib dataset stands for;
    ``KeyError`` naming the covered datasets for one WHAR Arena v1 does not cover."""
    whar_dataset = WHAR_ARENA_DATASET.get(dataset)
    if whar_dataset is None:
        raise KeyError(f"no WHAR Arena v1 figures for dataset {dataset!r}; the snapshot held "
                       f"here covers {', '.join(sorted(WHAR_ARENA_DATASET))} (WHAR Arena's own "
                       f"names: {', '.join(WHAR_ARENA_DATASETS)})")
    return WHAR_ARENA_DATASETS.index(whar_dataset)


def has_whar_arena_figures(dataset: str) -> bool:
    return dataset in WHAR_ARENA_DATASET


# Paper B, Table 5: harlib model name → {dataset: (memory in MB, parameters)}.
USAD_TABLE5: dict[str, dict[str, tuple[float, float]]] = {
    "cnn_zeng": {"wisdm": (766.23, 1.04e5), "opportunity": (744.52, 1.21e5)},
    "lstm": {"wisdm": (759.80, 1.65e5), "opportunity": (748.44, 3.85e5)},
    "cnn_gru": {"wisdm": (787.05, 4.38e6), "opportunity": (773.17, 4.39e6)},
    "lstm_cnn": {"wisdm": (823.00, 2.12e6), "opportunity": (788.69, 2.13e6)},
    "resnext": {"wisdm": (889.78, 2.20e7), "opportunity": (849.25, 2.21e7)},
    "se_res2net": {"wisdm": (787.67, 1.60e6), "opportunity": (772.41, 1.61e6)},
    "rev_attention": {"wisdm": (862.03, 4.33e5), "opportunity": (801.97, 3.80e5)},
    "gated_res2net": {"wisdm": (773.84, 1.60e6), "opportunity": (769.53, 1.61e6)},
    "har_ce": {"wisdm": (788.73, 4.17e5), "opportunity": (779.84, 3.49e6)},
    "elk": {"wisdm": (782.70, 2.41e5), "opportunity": (751.84, 7.57e5)},
    "danhar": {"wisdm": (790.66, 2.35e6), "opportunity": (814.09, 4.46e6)},
    "usad": {"wisdm": (718.50, 3.47e5), "opportunity": (751.30, 1.09e6)},
}

# The input each Table 5 column refers to, from paper B's Section 4.1: WISDM windows of 90
# samples of a tri-axial accelerometer at 20 Hz (6 classes); OPPORTUNITY windows of 30
# samples at 30 Hz. B does not say which OPPORTUNITY channels or label track it uses; 113
# channels and the 18 gesture classes (with the null class) are assumed.
USAD_TABLE5_INPUT = {
    "wisdm": {"channels": 3, "length": 90, "classes": 6, "sampling_rate": 20.0},
    "opportunity": {"channels": 113, "length": 30, "classes": 18, "sampling_rate": 30.0},
}


# Numbers the three papers state, by their id in the project's claims table (paper, where
# it stands, value, unit), for "the paper reports" beside our measurements.
PAPER_CLAIMS: dict[str, dict] = {
    "B1": {"paper": "B", "where": "abstract, USAD accuracy on WISDM", "value": 98.84, "unit": "%"},
    "B2": {"paper": "B", "where": "abstract, USAD accuracy on PAMAP2", "value": 93.81, "unit": "%"},
    "B3": {"paper": "B", "where": "abstract, USAD accuracy on OPPORTUNITY", "value": 80.92, "unit": "%"},
    "B449": {"paper": "B", "where": "Table 5, USAD, WISDM", "value": 3.47e5, "unit": "parameters"},
    "B451": {"paper": "B", "where": "Table 5, USAD, OPPORTUNITY", "value": 1.09e6, "unit": "parameters"},
    "B448": {"paper": "B", "where": "Table 5, USAD, WISDM (Raspberry Pi 5)", "value": 718.50, "unit": "MB"},
    "B450": {"paper": "B", "where": "Table 5, USAD, OPPORTUNITY (Raspberry Pi 5)", "value": 751.30, "unit": "MB"},
    "B453": {"paper": "B", "where": "§4.4, real-time requirement (5 % of a 4 s window)", "value": 200.0, "unit": "ms"},
    # App. C (PAMAP2): the loss-hyperparameter study (accuracy, F1, precision, recall and
    # ECE in %, as the tables print them; B538/B539 are Fig. 8's fractions)
    "B538": {"paper": "B", "where": "App. C.1 text (Fig. 8 subplot (a))", "value": 0.976, "unit": "none"},
    "B539": {"paper": "B", "where": "App. C.1 text (Fig. 8 subplot (a))", "value": 0.0109, "unit": "none"},
    "B540": {"paper": "B", "where": "App. C.1 text (label smoothing)", "value": 0.05, "unit": "none"},
    "B541": {"paper": "B", "where": "App. C.1 label-smoothing table (text: 'Table 9') row '0' col 'Acc. (%)'", "value": 85.9, "unit": "%"},
    "B542": {"paper": "B", "where": "App. C.1 label-smoothing table (text: 'Table 9') row '0' col 'F1 (%)'", "value": 85.68, "unit": "%"},
    "B543": {"paper": "B", "where": "App. C.1 label-smoothing table (text: 'Table 9') row '0' col 'ECE'", "value": 8.36, "unit": "not stated"},
    "B544": {"paper": "B", "where": "App. C.1 label-smoothing table (text: 'Table 9') row '0.05' col 'Acc. (%)'", "value": 85.81, "unit": "%"},
    "B545": {"paper": "B", "where": "App. C.1 label-smoothing table (text: 'Table 9') row '0.05' col 'F1 (%)'", "value": 85.58, "unit": "%"},
    "B546": {"paper": "B", "where": "App. C.1 label-smoothing table (text: 'Table 9') row '0.05' col 'ECE'", "value": 5.74, "unit": "not stated"},
    "B547": {"paper": "B", "where": "App. C.1 label-smoothing table (text: 'Table 9') row '0.1' col 'Acc. (%)'", "value": 80.19, "unit": "%"},
    "B548": {"paper": "B", "where": "App. C.1 label-smoothing table (text: 'Table 9') row '0.1' col 'F1 (%)'", "value": 79.12, "unit": "%"},
    "B549": {"paper": "B", "where": "App. C.1 label-smoothing table (text: 'Table 9') row '0.1' col 'ECE'", "value": 5.58, "unit": "not stated"},
    "B550": {"paper": "B", "where": "App. C.1 label-smoothing table (text: 'Table 9') row '0.2' col 'Acc. (%)'", "value": 82.95, "unit": "%"},
    "B551": {"paper": "B", "where": "App. C.1 label-smoothing table (text: 'Table 9') row '0.2' col 'F1 (%)'", "value": 82.02, "unit": "%"},
    "B552": {"paper": "B", "where": "App. C.1 label-smoothing table (text: 'Table 9') row '0.2' col 'ECE'", "value": 8.5, "unit": "not stated"},
    "B553": {"paper": "B", "where": "App. C.1 focal-loss table (text: 'Table 9') row 'gamma=1, alpha=0.25' col 'Acc. (%)'", "value": 92.69, "unit": "%"},
    "B554": {"paper": "B", "where": "App. C.1 focal-loss table (text: 'Table 9') row 'gamma=1, alpha=0.25' col 'F1 (%)'", "value": 92.5, "unit": "%"},
    "B555": {"paper": "B", "where": "App. C.1 focal-loss table (text: 'Table 9') row 'gamma=2, alpha=0.25' col 'Acc. (%)'", "value": 91.68, "unit": "%"},
    "B556": {"paper": "B", "where": "App. C.1 focal-loss table (text: 'Table 9') row 'gamma=2, alpha=0.25' col 'F1 (%)'", "value": 91.35, "unit": "%"},
    "B557": {"paper": "B", "where": "App. C.1 focal-loss table (text: 'Table 9') row 'gamma=3, alpha=0.25' col 'Acc. (%)'", "value": 89.74, "unit": "%"},
    "B558": {"paper": "B", "where": "App. C.1 focal-loss table (text: 'Table 9') row 'gamma=3, alpha=0.25' col 'F1 (%)'", "value": 88.62, "unit": "%"},
    "B559": {"paper": "B", "where": "App. C.1 focal-loss table (text: 'Table 9') row 'gamma=1, alpha=0.5' col 'Acc. (%)'", "value": 91.84, "unit": "%"},
    "B560": {"paper": "B", "where": "App. C.1 focal-loss table (text: 'Table 9') row 'gamma=1, alpha=0.5' col 'F1 (%)'", "value": 91.67, "unit": "%"},
    "B561": {"paper": "B", "where": "App. C.1 focal-loss table (text: 'Table 9') row 'gamma=1, alpha=0.75' col 'Acc. (%)'", "value": 92.38, "unit": "%"},
    "B562": {"paper": "B", "where": "App. C.1 focal-loss table (text: 'Table 9') row 'gamma=1, alpha=0.75' col 'F1 (%)'", "value": 92.15, "unit": "%"},
    "B563": {"paper": "B", "where": "App. C.1 CB-loss table (text: 'Table 9') row 'beta=0.9' col 'Acc. (%)'", "value": 93.0, "unit": "%"},
    "B564": {"paper": "B", "where": "App. C.1 CB-loss table (text: 'Table 9') row 'beta=0.9' col 'F1 (%)'", "value": 92.99, "unit": "%"},
    "B565": {"paper": "B", "where": "App. C.1 CB-loss table (text: 'Table 9') row 'beta=0.99' col 'Acc. (%)'", "value": 90.82, "unit": "%"},
    "B566": {"paper": "B", "where": "App. C.1 CB-loss table (text: 'Table 9') row 'beta=0.99' col 'F1 (%)'", "value": 90.52, "unit": "%"},
    "B567": {"paper": "B", "where": "App. C.1 CB-loss table (text: 'Table 9') row 'beta=0.999' col 'Acc. (%)'", "value": 89.5, "unit": "%"},
    "B568": {"paper": "B", "where": "App. C.1 CB-loss table (text: 'Table 9') row 'beta=0.999' col 'F1 (%)'", "value": 88.88, "unit": "%"},
    "B569": {"paper": "B", "where": "App. C.1 text (focal loss)", "value": 1.0, "unit": "none"},
    "B570": {"paper": "B", "where": "App. C.1 text (focal loss)", "value": 0.25, "unit": "none"},
    "B571": {"paper": "B", "where": "App. C.1 text (CB loss)", "value": 0.9, "unit": "none"},
    "B572": {"paper": "B", "where": "App. C.2 text (weight allocation)", "value": 0.9316, "unit": "none"},
    "B573": {"paper": "B", "where": "App. C.2 text (weight allocation)", "value": 0.9306, "unit": "none"},
    "B574": {"paper": "B", "where": "App. C.2 text (temperature)", "value": 1.0, "unit": "none"},
    "B575": {"paper": "B", "where": "App. C.2 text (weight bounds)", "value": 0.1, "unit": "none"},
    "B576": {"paper": "B", "where": "App. C.2 text (weight bounds)", "value": 0.8, "unit": "none"},
    "B577": {"paper": "B", "where": "Table 10 row 1 'Best Performance' col 'Acc. (%)'", "value": 93.16, "unit": "%"},
    "B578": {"paper": "B", "where": "Table 10 row 1 'Best Performance' col 'F1 (%)'", "value": 93.06, "unit": "%"},
    "B579": {"paper": "B", "where": "Table 10 row 1 'Best Performance' col 'Pre. (%)'", "value": 92.03, "unit": "%"},
    "B580": {"paper": "B", "where": "Table 10 row 1 'Best Performance' col 'Rec. (%)'", "value": 91.85, "unit": "%"},
    "B581": {"paper": "B", "where": "Table 10 row 2 'Weight Bias' col 'Acc. (%)'", "value": 84.19, "unit": "%"},
    "B582": {"paper": "B", "where": "Table 10 row 2 'Weight Bias' col 'F1 (%)'", "value": 83.78, "unit": "%"},
    "B583": {"paper": "B", "where": "Table 10 row 2 'Weight Bias' col 'Pre. (%)'", "value": 83.96, "unit": "%"},
    "B584": {"paper": "B", "where": "Table 10 row 2 'Weight Bias' col 'Rec. (%)'", "value": 85.6, "unit": "%"},
    "B585": {"paper": "B", "where": "Table 10 row 3 'Weight Bias' col 'Acc. (%)'", "value": 78.1, "unit": "%"},
    "B586": {"paper": "B", "where": "Table 10 row 3 'Weight Bias' col 'F1 (%)'", "value": 75.94, "unit": "%"},
    "B587": {"paper": "B", "where": "Table 10 row 3 'Weight Bias' col 'Pre. (%)'", "value": 83.49, "unit": "%"},
    "B588": {"paper": "B", "where": "Table 10 row 3 'Weight Bias' col 'Rec. (%)'", "value": 82.14, "unit": "%"},
    "B589": {"paper": "B", "where": "Table 10 row 4 'Low Temperature' col 'Acc. (%)'", "value": 79.81, "unit": "%"},
    "B590": {"paper": "B", "where": "Table 10 row 4 'Low Temperature' col 'F1 (%)'", "value": 76.83, "unit": "%"},
    "B591": {"paper": "B", "where": "Table 10 row 4 'Low Temperature' col 'Pre. (%)'", "value": 81.12, "unit": "%"},
    "B592": {"paper": "B", "where": "Table 10 row 4 'Low Temperature' col 'Rec. (%)'", "value": 80.26, "unit": "%"},
    "B593": {"paper": "B", "where": "Table 10 row 5 'High Temperature' col 'Acc. (%)'", "value": 78.19, "unit": "%"},
    "B594": {"paper": "B", "where": "Table 10 row 5 'High Temperature' col 'F1 (%)'", "value": 75.87, "unit": "%"},
    "B595": {"paper": "B", "where": "Table 10 row 5 'High Temperature' col 'Pre. (%)'", "value": 78.45, "unit": "%"},
    "B596": {"paper": "B", "where": "Table 10 row 5 'High Temperature' col 'Rec. (%)'", "value": 79.43, "unit": "%"},
    "B597": {"paper": "B", "where": "Table 10 row 6 'Narrow Weight Range' col 'Acc. (%)'", "value": 78.1, "unit": "%"},
    "B598": {"paper": "B", "where": "Table 10 row 6 'Narrow Weight Range' col 'F1 (%)'", "value": 76.36, "unit": "%"},
    "B599": {"paper": "B", "where": "Table 10 row 6 'Narrow Weight Range' col 'Pre. (%)'", "value": 79.06, "unit": "%"},
    "B600": {"paper": "B", "where": "Table 10 row 6 'Narrow Weight Range' col 'Rec. (%)'", "value": 78.87, "unit": "%"},
    "B601": {"paper": "B", "where": "Table 10 row 7 'Wide Weight Range' col 'Acc. (%)'", "value": 78.19, "unit": "%"},
    "B602": {"paper": "B", "where": "Table 10 row 7 'Wide Weight Range' col 'F1 (%)'", "value": 75.87, "unit": "%"},
    "B603": {"paper": "B", "where": "Table 10 row 7 'Wide Weight Range' col 'Pre. (%)'", "value": 78.45, "unit": "%"},
    "B604": {"paper": "B", "where": "Table 10 row 7 'Wide Weight Range' col 'Rec. (%)'", "value": 79.43, "unit": "%"},
    "B605": {"paper": "B", "where": "App. C.3 text", "value": 0.1, "unit": "none"},
    "B606": {"paper": "B", "where": "App. C.3 text", "value": 1.0, "unit": "none"},
    "B607": {"paper": "B", "where": "App. C.3 text", "value": 0.5, "unit": "none"},
    "B608": {"paper": "B", "where": "App. C.3 text", "value": 0.999, "unit": "none"},
    "B609": {"paper": "B", "where": "App. C.3 interleaved label-smoothing table (likely Table 11) row '0.0' col 'Accuracy (%)'", "value": 86.19, "unit": "%"},
    "B610": {"paper": "B", "where": "App. C.3 interleaved label-smoothing table (likely Table 11) row '0.0' col 'F1 Score (%)'", "value": 85.68, "unit": "%"},
    "B611": {"paper": "B", "where": "App. C.3 interleaved label-smoothing table (likely Table 11) row '0.05' col 'Accuracy (%)'", "value": 75.33, "unit": "%"},
    "B612": {"paper": "B", "where": "App. C.3 interleaved label-smoothing table (likely Table 11) row '0.05' col 'F1 Score (%)'", "value": 73.17, "unit": "%"},
    "B613": {"paper": "B", "where": "App. C.3 interleaved label-smoothing table (likely Table 11) row '0.1' col 'Accuracy (%)'", "value": 86.67, "unit": "%"},
    "B614": {"paper": "B", "where": "App. C.3 interleaved label-smoothing table (likely Table 11) row '0.1' col 'F1 Score (%)'", "value": 86.66, "unit": "%"},
    "B615": {"paper": "B", "where": "App. C.3 interleaved label-smoothing table (likely Table 11) row '0.2' col 'Accuracy (%)'", "value": 78.29, "unit": "%"},
    "B616": {"paper": "B", "where": "App. C.3 interleaved label-smoothing table (likely Table 11) row '0.2' col 'F1 Score (%)'", "value": 77.13, "unit": "%"},
    "B617": {"paper": "B", "where": "Table 12 row 'gamma=1, alpha=0.25' col 'Accuracy (%)'", "value": 90.86, "unit": "%"},
    "B618": {"paper": "B", "where": "Table 12 row 'gamma=1, alpha=0.25' col 'F1 Score (%)'", "value": 90.75, "unit": "%"},
    "B619": {"paper": "B", "where": "Table 12 row 'gamma=2, alpha=0.25' col 'Accuracy (%)'", "value": 82.48, "unit": "%"},
    "B620": {"paper": "B", "where": "Table 12 row 'gamma=2, alpha=0.25' col 'F1 Score (%)'", "value": 80.68, "unit": "%"},
    "B621": {"paper": "B", "where": "Table 12 row 'gamma=3, alpha=0.25' col 'Accuracy (%)'", "value": 77.43, "unit": "%"},
    "B622": {"paper": "B", "where": "Table 12 row 'gamma=3, alpha=0.25' col 'F1 Score (%)'", "value": 74.38, "unit": "%"},
    "B623": {"paper": "B", "where": "Table 12 row 'gamma=1, alpha=0.5' col 'Accuracy (%)'", "value": 91.05, "unit": "%"},
    "B624": {"paper": "B", "where": "Table 12 row 'gamma=1, alpha=0.5' col 'F1 Score (%)'", "value": 90.65, "unit": "%"},
    "B625": {"paper": "B", "where": "Table 12 row 'gamma=1, alpha=0.75' col 'Accuracy (%)'", "value": 87.71, "unit": "%"},
    "B626": {"paper": "B", "where": "Table 12 row 'gamma=1, alpha=0.75' col 'F1 Score (%)'", "value": 87.37, "unit": "%"},
    "B627": {"paper": "B", "where": "Table 13 row 'beta=0.9' col 'Accuracy (%)'", "value": 91.33, "unit": "%"},
    "B628": {"paper": "B", "where": "Table 13 row 'beta=0.9' col 'F1 Score (%)'", "value": 90.78, "unit": "%"},
    "B629": {"paper": "B", "where": "Table 13 row 'beta=0.99' col 'Accuracy (%)'", "value": 91.52, "unit": "%"},
    "B630": {"paper": "B", "where": "Table 13 row 'beta=0.99' col 'F1 Score (%)'", "value": 89.97, "unit": "%"},
    "B631": {"paper": "B", "where": "Table 13 row 'beta=0.999' col 'Accuracy (%)'", "value": 94.24, "unit": "%"},
    "B632": {"paper": "B", "where": "Table 13 row 'beta=0.999' col 'F1 Score (%)'", "value": 93.86, "unit": "%"},
    "B633": {"paper": "B", "where": "App. C.3 text (summary)", "value": 94.24, "unit": "%"},
    "B634": {"paper": "B", "where": "App. C.3 text (summary)", "value": 1.09, "unit": "%"},
    "B635": {"paper": "B", "where": "App. C.3 text (summary)", "value": 93.16, "unit": "%"},
    # Table 2, WISDM: the loss rows (accuracy and F1 in %)
    "B32": {"paper": "B", "where": "Table 2, ACL, WISDM accuracy", "value": 98.01, "unit": "%"},
    "B35": {"paper": "B", "where": "Table 2, ACL, WISDM F1", "value": 97.87, "unit": "%"},
    "B38": {"paper": "B", "where": "Table 2, Compound Loss, WISDM accuracy", "value": 97.38, "unit": "%"},
    "B41": {"paper": "B", "where": "Table 2, Compound Loss, WISDM F1", "value": 96.42, "unit": "%"},
    "B44": {"paper": "B", "where": "Table 2, Combination 1 (0.3, 0.4, 0.3), WISDM accuracy", "value": 97.92, "unit": "%"},
    "B47": {"paper": "B", "where": "Table 2, Combination 1 (0.3, 0.4, 0.3), WISDM F1", "value": 97.40, "unit": "%"},
    "B50": {"paper": "B", "where": "Table 2, Combination 2 (0.15, 0.7, 0.15), WISDM accuracy", "value": 97.83, "unit": "%"},
    "B53": {"paper": "B", "where": "Table 2, Combination 2 (0.15, 0.7, 0.15), WISDM F1", "value": 97.55, "unit": "%"},
    # Table 2, the ablation (accuracy and F1 in %, every row and dataset)
    "B8": {"paper": "B", "where": "Table 2, Backbone Only, WISDM accuracy", "value": 97.74, "unit": "%"},
    "B11": {"paper": "B", "where": "Table 2, Backbone Only, WISDM F1", "value": 97.15, "unit": "%"},
    "B14": {"paper": "B", "where": "Table 2, Spatial Attention, WISDM accuracy", "value": 97.78, "unit": "%"},
    "B17": {"paper": "B", "where": "Table 2, Spatial Attention, WISDM F1", "value": 97.59, "unit": "%"},
    "B20": {"paper": "B", "where": "Table 2, Temporal Attention, WISDM accuracy", "value": 97.87, "unit": "%"},
    "B23": {"paper": "B", "where": "Table 2, Temporal Attention, WISDM F1", "value": 98.58, "unit": "%"},
    "B26": {"paper": "B", "where": "Table 2, Spatial and Temporal Attention, WISDM accuracy", "value": 97.96, "unit": "%"},
    "B29": {"paper": "B", "where": "Table 2, Spatial and Temporal Attention, WISDM F1", "value": 97.82, "unit": "%"},
    "B56": {"paper": "B", "where": "Table 2, Data Augmentation, WISDM accuracy", "value": 98.28, "unit": "%"},
    "B59": {"paper": "B", "where": "Table 2, Data Augmentation, WISDM F1", "value": 98.16, "unit": "%"},
    "B62": {"paper": "B", "where": "Table 2, Backbone Only, PAMAP2 accuracy", "value": 90.71, "unit": "%"},
    "B65": {"paper": "B", "where": "Table 2, Backbone Only, PAMAP2 F1", "value": 90.27, "unit": "%"},
    "B68": {"paper": "B", "where": "Table 2, Backbone Only, OPPORTUNITY accuracy", "value": 78.05, "unit": "%"},
    "B71": {"paper": "B", "where": "Table 2, Backbone Only, OPPORTUNITY F1", "value": 71.42, "unit": "%"},
    "B74": {"paper": "B", "where": "Table 2, Spatial Attention, PAMAP2 accuracy", "value": 90.61, "unit": "%"},
    "B77": {"paper": "B", "where": "Table 2, Spatial Attention, PAMAP2 F1", "value": 90.61, "unit": "%"},
    "B80": {"paper": "B", "where": "Table 2, Spatial Attention, OPPORTUNITY accuracy", "value": 75.02, "unit": "%"},
    "B83": {"paper": "B", "where": "Table 2, Spatial Attention, OPPORTUNITY F1", "value": 69.39, "unit": "%"},
    "B86": {"paper": "B", "where": "Table 2, Temporal Attention, PAMAP2 accuracy", "value": 90.52, "unit": "%"},
    "B89": {"paper": "B", "where": "Table 2, Temporal Attention, PAMAP2 F1", "value": 90.13, "unit": "%"},
    "B92": {"paper": "B", "where": "Table 2, Temporal Attention, OPPORTUNITY accuracy", "value": 77.39, "unit": "%"},
    "B95": {"paper": "B", "where": "Table 2, Temporal Attention, OPPORTUNITY F1", "value": 69.08, "unit": "%"},
    "B98": {"paper": "B", "where": "Table 2, Spatial and Temporal Attention, PAMAP2 accuracy", "value": 92.0, "unit": "%"},
    "B101": {"paper": "B", "where": "Table 2, Spatial and Temporal Attention, PAMAP2 F1", "value": 91.7, "unit": "%"},
    "B104": {"paper": "B", "where": "Table 2, Spatial and Temporal Attention, OPPORTUNITY accuracy", "value": 81.95, "unit": "%"},
    "B107": {"paper": "B", "where": "Table 2, Spatial and Temporal Attention, OPPORTUNITY F1", "value": 75.54, "unit": "%"},
    "B110": {"paper": "B", "where": "Table 2, ACL, PAMAP2 accuracy", "value": 93.43, "unit": "%"},
    "B113": {"paper": "B", "where": "Table 2, ACL, PAMAP2 F1", "value": 93.1, "unit": "%"},
    "B116": {"paper": "B", "where": "Table 2, ACL, OPPORTUNITY accuracy", "value": 83.11, "unit": "%"},
    "B119": {"paper": "B", "where": "Table 2, ACL, OPPORTUNITY F1", "value": 75.44, "unit": "%"},
    "B122": {"paper": "B", "where": "Table 2, Compound Loss, PAMAP2 accuracy", "value": 93.24, "unit": "%"},
    "B125": {"paper": "B", "where": "Table 2, Compound Loss, PAMAP2 F1", "value": 93.01, "unit": "%"},
    "B128": {"paper": "B", "where": "Table 2, Compound Loss, OPPORTUNITY accuracy", "value": 83.28, "unit": "%"},
    "B131": {"paper": "B", "where": "Table 2, Compound Loss, OPPORTUNITY F1", "value": 78.1, "unit": "%"},
    "B134": {"paper": "B", "where": "Table 2, Combinations 1, PAMAP2 accuracy", "value": 91.43, "unit": "%"},
    "B137": {"paper": "B", "where": "Table 2, Combinations 1, PAMAP2 F1", "value": 91.29, "unit": "%"},
    "B140": {"paper": "B", "where": "Table 2, Combinations 1, OPPORTUNITY accuracy", "value": 83.03, "unit": "%"},
    "B143": {"paper": "B", "where": "Table 2, Combinations 1, OPPORTUNITY F1", "value": 75.38, "unit": "%"},
    "B146": {"paper": "B", "where": "Table 2, Combinations 2, PAMAP2 accuracy", "value": 89.81, "unit": "%"},
    "B149": {"paper": "B", "where": "Table 2, Combinations 2, PAMAP2 F1", "value": 89.93, "unit": "%"},
    "B152": {"paper": "B", "where": "Table 2, Combinations 2, OPPORTUNITY accuracy", "value": 83.54, "unit": "%"},
    "B155": {"paper": "B", "where": "Table 2, Combinations 2, OPPORTUNITY F1", "value": 75.76, "unit": "%"},
    "B158": {"paper": "B", "where": "Table 2, Data Augmentation, PAMAP2 accuracy", "value": 94.07, "unit": "%"},
    "B161": {"paper": "B", "where": "Table 2, Data Augmentation, PAMAP2 F1", "value": 93.72, "unit": "%"},
    "B164": {"paper": "B", "where": "Table 2, Data Augmentation, OPPORTUNITY accuracy", "value": 84.6, "unit": "%"},
    "B167": {"paper": "B", "where": "Table 2, Data Augmentation, OPPORTUNITY F1", "value": 78.46, "unit": "%"},
    # Table 3, the comparison (accuracy and F1 in %; WISDM, PAMAP2 with 100 % and 50 % of the training data)
    "B193": {"paper": "B", "where": "Table 3, CNN[18], PAMAP2 (100%) Acc. (%)", "value": 83.8, "unit": "%"},
    "B194": {"paper": "B", "where": "Table 3, CNN[18], PAMAP2 (100%) F1 (%)", "value": 79.89, "unit": "%"},
    "B195": {"paper": "B", "where": "Table 3, CNN[18], PAMAP2 (50%) Acc. (%)", "value": 60.29, "unit": "%"},
    "B196": {"paper": "B", "where": "Table 3, CNN[18], PAMAP2 (50%) F1 (%)", "value": 58.25, "unit": "%"},
    "B197": {"paper": "B", "where": "Table 3, CNN[18], WISDM Acc. (%)", "value": 91.09, "unit": "%"},
    "B198": {"paper": "B", "where": "Table 3, CNN[18], WISDM F1 (%)", "value": 90.01, "unit": "%"},
    "B199": {"paper": "B", "where": "Table 3, LSTM[19], PAMAP2 (100%) Acc. (%)", "value": 82.38, "unit": "%"},
    "B200": {"paper": "B", "where": "Table 3, LSTM[19], PAMAP2 (100%) F1 (%)", "value": 80.29, "unit": "%"},
    "B201": {"paper": "B", "where": "Table 3, LSTM[19], PAMAP2 (50%) Acc. (%)", "value": 55.1, "unit": "%"},
    "B202": {"paper": "B", "where": "Table 3, LSTM[19], PAMAP2 (50%) F1 (%)", "value": 47.37, "unit": "%"},
    "B203": {"paper": "B", "where": "Table 3, LSTM[19], WISDM Acc. (%)", "value": 80.59, "unit": "%"},
    "B204": {"paper": "B", "where": "Table 3, LSTM[19], WISDM F1 (%)", "value": 75.67, "unit": "%"},
    "B205": {"paper": "B", "where": "Table 3, LSTM-CNN[19], PAMAP2 (100%) Acc. (%)", "value": 57.71, "unit": "%"},
    "B206": {"paper": "B", "where": "Table 3, LSTM-CNN[19], PAMAP2 (100%) F1 (%)", "value": 53.31, "unit": "%"},
    "B207": {"paper": "B", "where": "Table 3, LSTM-CNN[19], PAMAP2 (50%) Acc. (%)", "value": 52.57, "unit": "%"},
    "B208": {"paper": "B", "where": "Table 3, LSTM-CNN[19], PAMAP2 (50%) F1 (%)", "value": 48.68, "unit": "%"},
    "B209": {"paper": "B", "where": "Table 3, LSTM-CNN[19], WISDM Acc. (%)", "value": 95.9, "unit": "%"},
    "B210": {"paper": "B", "where": "Table 3, LSTM-CNN[19], WISDM F1 (%)", "value": 95.97, "unit": "%"},
    "B211": {"paper": "B", "where": "Table 3, CNN-GRU[20], PAMAP2 (100%) Acc. (%)", "value": 61.43, "unit": "%"},
    "B212": {"paper": "B", "where": "Table 3, CNN-GRU[20], PAMAP2 (100%) F1 (%)", "value": 54.92, "unit": "%"},
    "B213": {"paper": "B", "where": "Table 3, CNN-GRU[20], PAMAP2 (50%) Acc. (%)", "value": 60.48, "unit": "%"},
    "B214": {"paper": "B", "where": "Table 3, CNN-GRU[20], PAMAP2 (50%) F1 (%)", "value": 52.15, "unit": "%"},
    "B215": {"paper": "B", "where": "Table 3, CNN-GRU[20], WISDM Acc. (%)", "value": 94.95, "unit": "%"},
    "B216": {"paper": "B", "where": "Table 3, CNN-GRU[20], WISDM F1 (%)", "value": 96.21, "unit": "%"},
    "B217": {"paper": "B", "where": "Table 3, SE-Res2Net[21], PAMAP2 (100%) Acc. (%)", "value": 88.04, "unit": "%"},
    "B218": {"paper": "B", "where": "Table 3, SE-Res2Net[21], PAMAP2 (100%) F1 (%)", "value": 82.2, "unit": "%"},
    "B219": {"paper": "B", "where": "Table 3, SE-Res2Net[21], PAMAP2 (50%) Acc. (%)", "value": 66.37, "unit": "%"},
    "B220": {"paper": "B", "where": "Table 3, SE-Res2Net[21], PAMAP2 (50%) F1 (%)", "value": 62.46, "unit": "%"},
    "B221": {"paper": "B", "where": "Table 3, SE-Res2Net[21], WISDM Acc. (%)", "value": 98.23, "unit": "%"},
    "B222": {"paper": "B", "where": "Table 3, SE-Res2Net[21], WISDM F1 (%)", "value": 97.71, "unit": "%"},
    "B223": {"paper": "B", "where": "Table 3, ResNeXt[22], PAMAP2 (100%) Acc. (%)", "value": 62.48, "unit": "%"},
    "B224": {"paper": "B", "where": "Table 3, ResNeXt[22], PAMAP2 (100%) F1 (%)", "value": 60.02, "unit": "%"},
    "B225": {"paper": "B", "where": "Table 3, ResNeXt[22], PAMAP2 (50%) Acc. (%)", "value": 58.57, "unit": "%"},
    "B226": {"paper": "B", "where": "Table 3, ResNeXt[22], PAMAP2 (50%) F1 (%)", "value": 53.77, "unit": "%"},
    "B227": {"paper": "B", "where": "Table 3, ResNeXt[22], WISDM Acc. (%)", "value": 96.67, "unit": "%"},
    "B228": {"paper": "B", "where": "Table 3, ResNeXt[22], WISDM F1 (%)", "value": 96.66, "unit": "%"},
    "B229": {"paper": "B", "where": "Table 3, Gated-Res2Net[23], PAMAP2 (100%) Acc. (%)", "value": 70.48, "unit": "%"},
    "B230": {"paper": "B", "where": "Table 3, Gated-Res2Net[23], PAMAP2 (100%) F1 (%)", "value": 68.75, "unit": "%"},
    "B231": {"paper": "B", "where": "Table 3, Gated-Res2Net[23], PAMAP2 (50%) Acc. (%)", "value": 65.52, "unit": "%"},
    "B232": {"paper": "B", "where": "Table 3, Gated-Res2Net[23], PAMAP2 (50%) F1 (%)", "value": 64.31, "unit": "%"},
    "B233": {"paper": "B", "where": "Table 3, Gated-Res2Net[23], WISDM Acc. (%)", "value": 97.02, "unit": "%"},
    "B234": {"paper": "B", "where": "Table 3, Gated-Res2Net[23], WISDM F1 (%)", "value": 97.02, "unit": "%"},
    "B235": {"paper": "B", "where": "Table 3, Rev-Attention[24], PAMAP2 (100%) Acc. (%)", "value": 63.9, "unit": "%"},
    "B236": {"paper": "B", "where": "Table 3, Rev-Attention[24], PAMAP2 (100%) F1 (%)", "value": 61.59, "unit": "%"},
    "B237": {"paper": "B", "where": "Table 3, Rev-Attention[24], PAMAP2 (50%) Acc. (%)", "value": 58.86, "unit": "%"},
    "B238": {"paper": "B", "where": "Table 3, Rev-Attention[24], PAMAP2 (50%) F1 (%)", "value": 57.37, "unit": "%"},
    "B239": {"paper": "B", "where": "Table 3, Rev-Attention[24], WISDM Acc. (%)", "value": 97.46, "unit": "%"},
    "B240": {"paper": "B", "where": "Table 3, Rev-Attention[24], WISDM F1 (%)", "value": 97.49, "unit": "%"},
    "B241": {"paper": "B", "where": "Table 3, MAG-Res2Net[25], PAMAP2 (100%) Acc. (%)", "value": 88.57, "unit": "%"},
    "B242": {"paper": "B", "where": "Table 3, MAG-Res2Net[25], PAMAP2 (100%) F1 (%)", "value": 87.8, "unit": "%"},
    "B243": {"paper": "B", "where": "Table 3, MAG-Res2Net[25], PAMAP2 (50%) Acc. (%)", "value": 67.34, "unit": "%"},
    "B244": {"paper": "B", "where": "Table 3, MAG-Res2Net[25], PAMAP2 (50%) F1 (%)", "value": 65.87, "unit": "%"},
    "B245": {"paper": "B", "where": "Table 3, MAG-Res2Net[25], WISDM Acc. (%)", "value": 97.24, "unit": "%"},
    "B246": {"paper": "B", "where": "Table 3, MAG-Res2Net[25], WISDM F1 (%)", "value": 97.0, "unit": "%"},
    "B247": {"paper": "B", "where": "Table 3, HAR-CE[26], PAMAP2 (100%) Acc. (%)", "value": 65.9, "unit": "%"},
    "B248": {"paper": "B", "where": "Table 3, HAR-CE[26], PAMAP2 (100%) F1 (%)", "value": 58.55, "unit": "%"},
    "B249": {"paper": "B", "where": "Table 3, HAR-CE[26], PAMAP2 (50%) Acc. (%)", "value": 61.81, "unit": "%"},
    "B250": {"paper": "B", "where": "Table 3, HAR-CE[26], PAMAP2 (50%) F1 (%)", "value": 58.35, "unit": "%"},
    "B251": {"paper": "B", "where": "Table 3, HAR-CE[26], WISDM Acc. (%)", "value": 97.72, "unit": "%"},
    "B252": {"paper": "B", "where": "Table 3, HAR-CE[26], WISDM F1 (%)", "value": 97.7, "unit": "%"},
    "B253": {"paper": "B", "where": "Table 3, ELK[27], PAMAP2 (100%) Acc. (%)", "value": 72.95, "unit": "%"},
    "B254": {"paper": "B", "where": "Table 3, ELK[27], PAMAP2 (100%) F1 (%)", "value": 72.77, "unit": "%"},
    "B255": {"paper": "B", "where": "Table 3, ELK[27], PAMAP2 (50%) Acc. (%)", "value": 72.57, "unit": "%"},
    "B256": {"paper": "B", "where": "Table 3, ELK[27], PAMAP2 (50%) F1 (%)", "value": 72.42, "unit": "%"},
    "B257": {"paper": "B", "where": "Table 3, ELK[27], WISDM Acc. (%)", "value": 98.05, "unit": "%"},
    "B258": {"paper": "B", "where": "Table 3, ELK[27], WISDM F1 (%)", "value": 98.06, "unit": "%"},
    "B259": {"paper": "B", "where": "Table 3, DanHAR[28], PAMAP2 (100%) Acc. (%)", "value": 71.52, "unit": "%"},
    "B260": {"paper": "B", "where": "Table 3, DanHAR[28], PAMAP2 (100%) F1 (%)", "value": 70.27, "unit": "%"},
    "B261": {"paper": "B", "where": "Table 3, DanHAR[28], PAMAP2 (50%) Acc. (%)", "value": 70.57, "unit": "%"},
    "B262": {"paper": "B", "where": "Table 3, DanHAR[28], PAMAP2 (50%) F1 (%)", "value": 68.18, "unit": "%"},
    "B263": {"paper": "B", "where": "Table 3, DanHAR[28], WISDM Acc. (%)", "value": 95.57, "unit": "%"},
    "B264": {"paper": "B", "where": "Table 3, DanHAR[28], WISDM F1 (%)", "value": 95.64, "unit": "%"},
    "B265": {"paper": "B", "where": "Table 3, USAD, PAMAP2 (100%) Acc. (%)", "value": 94.07, "unit": "%"},
    "B266": {"paper": "B", "where": "Table 3, USAD, PAMAP2 (100%) F1 (%)", "value": 93.72, "unit": "%"},
    "B267": {"paper": "B", "where": "Table 3, USAD, PAMAP2 (50%) Acc. (%)", "value": 89.29, "unit": "%"},
    "B268": {"paper": "B", "where": "Table 3, USAD, PAMAP2 (50%) F1 (%)", "value": 88.92, "unit": "%"},
    "B269": {"paper": "B", "where": "Table 3, USAD, WISDM Acc. (%)", "value": 98.84, "unit": "%"},
    "B270": {"paper": "B", "where": "Table 3, USAD, WISDM F1 (%)", "value": 98.79, "unit": "%"},
    # Table 6 (App. B): intra- and inter-class distances of the test embeddings and their ratio
    "B466": {"paper": "B", "where": "Table 6, CNN, WISDM Intra", "value": 2.525, "unit": "distance"},
    "B467": {"paper": "B", "where": "Table 6, CNN, WISDM Inter", "value": 6.652, "unit": "distance"},
    "B468": {"paper": "B", "where": "Table 6, CNN, WISDM Ratio", "value": 2.635, "unit": "distance"},
    "B469": {"paper": "B", "where": "Table 6, CNN, PAMAP2 Intra", "value": 2.816, "unit": "distance"},
    "B470": {"paper": "B", "where": "Table 6, CNN, PAMAP2 Inter", "value": 7.875, "unit": "distance"},
    "B471": {"paper": "B", "where": "Table 6, CNN, PAMAP2 Ratio", "value": 2.797, "unit": "distance"},
    "B472": {"paper": "B", "where": "Table 6, CNN, OPPORTUNITY Intra", "value": 4.777, "unit": "distance"},
    "B473": {"paper": "B", "where": "Table 6, CNN, OPPORTUNITY Inter", "value": 7.957, "unit": "distance"},
    "B474": {"paper": "B", "where": "Table 6, CNN, OPPORTUNITY Ratio", "value": 1.666, "unit": "distance"},
    "B475": {"paper": "B", "where": "Table 6, LSTM, WISDM Intra", "value": 1.047, "unit": "distance"},
    "B476": {"paper": "B", "where": "Table 6, LSTM, WISDM Inter", "value": 6.242, "unit": "distance"},
    "B477": {"paper": "B", "where": "Table 6, LSTM, WISDM Ratio", "value": 5.961, "unit": "distance"},
    "B478": {"paper": "B", "where": "Table 6, LSTM, PAMAP2 Intra", "value": 1.726, "unit": "distance"},
    "B479": {"paper": "B", "where": "Table 6, LSTM, PAMAP2 Inter", "value": 6.883, "unit": "distance"},
    "B480": {"paper": "B", "where": "Table 6, LSTM, PAMAP2 Ratio", "value": 3.988, "unit": "distance"},
    "B481": {"paper": "B", "where": "Table 6, LSTM, OPPORTUNITY Intra", "value": 2.043, "unit": "distance"},
    "B482": {"paper": "B", "where": "Table 6, LSTM, OPPORTUNITY Inter", "value": 6.449, "unit": "distance"},
    "B483": {"paper": "B", "where": "Table 6, LSTM, OPPORTUNITY Ratio", "value": 3.156, "unit": "distance"},
    "B484": {"paper": "B", "where": "Table 6, ResNet50, WISDM Intra", "value": 0.446, "unit": "distance"},
    "B485": {"paper": "B", "where": "Table 6, ResNet50, WISDM Inter", "value": 6.508, "unit": "distance"},
    "B486": {"paper": "B", "where": "Table 6, ResNet50, WISDM Ratio", "value": 14.594, "unit": "distance"},
    "B487": {"paper": "B", "where": "Table 6, ResNet50, PAMAP2 Intra", "value": 1.583, "unit": "distance"},
    "B488": {"paper": "B", "where": "Table 6, ResNet50, PAMAP2 Inter", "value": 6.93, "unit": "distance"},
    "B489": {"paper": "B", "where": "Table 6, ResNet50, PAMAP2 Ratio", "value": 4.379, "unit": "distance"},
    "B490": {"paper": "B", "where": "Table 6, ResNet50, OPPORTUNITY Intra", "value": 3.225, "unit": "distance"},
    "B491": {"paper": "B", "where": "Table 6, ResNet50, OPPORTUNITY Inter", "value": 7.774, "unit": "distance"},
    "B492": {"paper": "B", "where": "Table 6, ResNet50, OPPORTUNITY Ratio", "value": 2.41, "unit": "distance"},
    "B493": {"paper": "B", "where": "Table 6, SERes2Net, WISDM Intra", "value": 1.32, "unit": "distance"},
    "B494": {"paper": "B", "where": "Table 6, SERes2Net, WISDM Inter", "value": 6.598, "unit": "distance"},
    "B495": {"paper": "B", "where": "Table 6, SERes2Net, WISDM Ratio", "value": 4.996, "unit": "distance"},
    "B496": {"paper": "B", "where": "Table 6, SERes2Net, PAMAP2 Intra", "value": 1.491, "unit": "distance"},
    "B497": {"paper": "B", "where": "Table 6, SERes2Net, PAMAP2 Inter", "value": 7.102, "unit": "distance"},
    "B498": {"paper": "B", "where": "Table 6, SERes2Net, PAMAP2 Ratio", "value": 4.762, "unit": "distance"},
    "B499": {"paper": "B", "where": "Table 6, SERes2Net, OPPORTUNITY Intra", "value": 2.668, "unit": "distance"},
    "B500": {"paper": "B", "where": "Table 6, SERes2Net, OPPORTUNITY Inter", "value": 6.727, "unit": "distance"},
    "B501": {"paper": "B", "where": "Table 6, SERes2Net, OPPORTUNITY Ratio", "value": 2.522, "unit": "distance"},
    "B502": {"paper": "B", "where": "Table 6, MAG-Res2Net, WISDM Intra", "value": 0.49, "unit": "distance"},
    "B503": {"paper": "B", "where": "Table 6, MAG-Res2Net, WISDM Inter", "value": 6.543, "unit": "distance"},
    "B504": {"paper": "B", "where": "Table 6, MAG-Res2Net, WISDM Ratio", "value": 13.344, "unit": "distance"},
    "B505": {"paper": "B", "where": "Table 6, MAG-Res2Net, PAMAP2 Intra", "value": 1.885, "unit": "distance"},
    "B506": {"paper": "B", "where": "Table 6, MAG-Res2Net, PAMAP2 Inter", "value": 6.824, "unit": "distance"},
    "B507": {"paper": "B", "where": "Table 6, MAG-Res2Net, PAMAP2 Ratio", "value": 3.621, "unit": "distance"},
    "B508": {"paper": "B", "where": "Table 6, MAG-Res2Net, OPPORTUNITY Intra", "value": 3.08, "unit": "distance"},
    "B509": {"paper": "B", "where": "Table 6, MAG-Res2Net, OPPORTUNITY Inter", "value": 6.648, "unit": "distance"},
    "B510": {"paper": "B", "where": "Table 6, MAG-Res2Net, OPPORTUNITY Ratio", "value": 2.158, "unit": "distance"},
    "B511": {"paper": "B", "where": "Table 6, ATFA, WISDM Intra", "value": 2.797, "unit": "distance"},
    "B512": {"paper": "B", "where": "Table 6, ATFA, WISDM Inter", "value": 6.93, "unit": "distance"},
    "B513": {"paper": "B", "where": "Table 6, ATFA, WISDM Ratio", "value": 2.478, "unit": "distance"},
    "B514": {"paper": "B", "where": "Table 6, ATFA, PAMAP2 Intra", "value": 3.007, "unit": "distance"},
    "B515": {"paper": "B", "where": "Table 6, ATFA, PAMAP2 Inter", "value": 9.907, "unit": "distance"},
    "B516": {"paper": "B", "where": "Table 6, ATFA, PAMAP2 Ratio", "value": 3.294, "unit": "distance"},
    "B517": {"paper": "B", "where": "Table 6, ATFA, OPPORTUNITY Intra", "value": 4.85, "unit": "distance"},
    "B518": {"paper": "B", "where": "Table 6, ATFA, OPPORTUNITY Inter", "value": 8.379, "unit": "distance"},
    "B519": {"paper": "B", "where": "Table 6, ATFA, OPPORTUNITY Ratio", "value": 1.728, "unit": "distance"},
    "B520": {"paper": "B", "where": "Table 6, TCCSNet, WISDM Intra", "value": 2.906, "unit": "distance"},
    "B521": {"paper": "B", "where": "Table 6, TCCSNet, WISDM Inter", "value": 6.93, "unit": "distance"},
    "B522": {"paper": "B", "where": "Table 6, TCCSNet, WISDM Ratio", "value": 2.385, "unit": "distance"},
    "B523": {"paper": "B", "where": "Table 6, TCCSNet, PAMAP2 Intra", "value": 3.018, "unit": "distance"},
    "B524": {"paper": "B", "where": "Table 6, TCCSNet, PAMAP2 Inter", "value": 8.289, "unit": "distance"},
    "B525": {"paper": "B", "where": "Table 6, TCCSNet, PAMAP2 Ratio", "value": 2.746, "unit": "distance"},
    "B526": {"paper": "B", "where": "Table 6, TCCSNet, OPPORTUNITY Intra", "value": 4.77, "unit": "distance"},
    "B527": {"paper": "B", "where": "Table 6, TCCSNet, OPPORTUNITY Inter", "value": 8.492, "unit": "distance"},
    "B528": {"paper": "B", "where": "Table 6, TCCSNet, OPPORTUNITY Ratio", "value": 1.779, "unit": "distance"},
    "B529": {"paper": "B", "where": "Table 6, USAD, WISDM Intra", "value": 0.386, "unit": "distance"},
    "B530": {"paper": "B", "where": "Table 6, USAD, WISDM Inter", "value": 6.578, "unit": "distance"},
    "B531": {"paper": "B", "where": "Table 6, USAD, WISDM Ratio", "value": 17.063, "unit": "distance"},
    "B532": {"paper": "B", "where": "Table 6, USAD, PAMAP2 Intra", "value": 1.67, "unit": "distance"},
    "B533": {"paper": "B", "where": "Table 6, USAD, PAMAP2 Inter", "value": 7.336, "unit": "distance"},
    "B534": {"paper": "B", "where": "Table 6, USAD, PAMAP2 Ratio", "value": 4.395, "unit": "distance"},
    "B535": {"paper": "B", "where": "Table 6, USAD, OPPORTUNITY Intra", "value": 2.17, "unit": "distance"},
    "B536": {"paper": "B", "where": "Table 6, USAD, OPPORTUNITY Inter", "value": 7.098, "unit": "distance"},
    "B537": {"paper": "B", "where": "Table 6, USAD, OPPORTUNITY Ratio", "value": 3.271, "unit": "distance"},
    "A1": {"paper": "A", "where": "abstract, accuracy on DaLiAc (unsupervised)", "value": 96.6, "unit": "%"},
    "A2": {"paper": "A", "where": "abstract, accuracy on PAMAP2 (unsupervised)", "value": 98.4, "unit": "%"},
    "A3": {"paper": "A", "where": "abstract, feature-separability gain despite shorter windows (up to)", "value": 9.0, "unit": "%"},
    "A4": {"paper": "A", "where": "abstract, accuracy lost to inter-class segmentation", "value": 7.0, "unit": "%"},
    "C1": {"paper": "C", "where": "abstract, STDual-X accuracy on PAMAP2", "value": 97.02, "unit": "%"},
    "C2": {"paper": "C", "where": "abstract, STDual-X accuracy on OPPORTUNITY", "value": 95.43, "unit": "%"},
    "C3": {"paper": "C", "where": "abstract, STDual-X accuracy on UCI-HAR", "value": 98.80, "unit": "%"},
    "C4": {"paper": "C", "where": "abstract, accuracy drop without STDAT", "value": 7.74, "unit": "%"},
    "C5": {"paper": "C", "where": "abstract, accuracy drop without cross-sensor attention", "value": 2.34, "unit": "%"},
    "C6": {"paper": "C", "where": "abstract, accuracy drop without the contrastive (triplet) loss", "value": 4.64, "unit": "%"},
    "C7": {"paper": "C", "where": "abstract, silhouette score of STDual-X's embeddings", "value": 0.5826, "unit": "none"},
    "C8": {"paper": "C", "where": "abstract, accuracy with 10 % missing data", "value": 96.78, "unit": "%"},
    "C9": {"paper": "C", "where": "abstract, STDual-X latency (Tesla P100)", "value": 1.6, "unit": "ms"},
    "C10": {"paper": "C", "where": "abstract, STDual-X memory (Tesla P100)", "value": 144.72, "unit": "MB"},
}


#: paper B's Table 2 (the ablation): row → dataset → {metric: claim id}
USAD_TABLE2: dict[str, dict[str, dict[str, str]]] = {
    "Backbone Only": {"wisdm": {"accuracy": "B8", "f1_macro": "B11"}, "pamap2": {"accuracy": "B62", "f1_macro": "B65"}, "opportunity": {"accuracy": "B68", "f1_macro": "B71"}},
    "Spatial Attention": {"wisdm": {"accuracy": "B14", "f1_macro": "B17"}, "pamap2": {"accuracy": "B74", "f1_macro": "B77"}, "opportunity": {"accuracy": "B80", "f1_macro": "B83"}},
    "Temporal Attention": {"wisdm": {"accuracy": "B20", "f1_macro": "B23"}, "pamap2": {"accuracy": "B86", "f1_macro": "B89"}, "opportunity": {"accuracy": "B92", "f1_macro": "B95"}},
    "Spatial and Temporal Attention": {"wisdm": {"accuracy": "B26", "f1_macro": "B29"}, "pamap2": {"accuracy": "B98", "f1_macro": "B101"}, "opportunity": {"accuracy": "B104", "f1_macro": "B107"}},
    "ACL": {"wisdm": {"accuracy": "B32", "f1_macro": "B35"}, "pamap2": {"accuracy": "B110", "f1_macro": "B113"}, "opportunity": {"accuracy": "B116", "f1_macro": "B119"}},
    "Compound Loss": {"wisdm": {"accuracy": "B38", "f1_macro": "B41"}, "pamap2": {"accuracy": "B122", "f1_macro": "B125"}, "opportunity": {"accuracy": "B128", "f1_macro": "B131"}},
    "Combinations 1": {"wisdm": {"accuracy": "B44", "f1_macro": "B47"}, "pamap2": {"accuracy": "B134", "f1_macro": "B137"}, "opportunity": {"accuracy": "B140", "f1_macro": "B143"}},
    "Combinations 2": {"wisdm": {"accuracy": "B50", "f1_macro": "B53"}, "pamap2": {"accuracy": "B146", "f1_macro": "B149"}, "opportunity": {"accuracy": "B152", "f1_macro": "B155"}},
    "Data Augmentation": {"wisdm": {"accuracy": "B56", "f1_macro": "B59"}, "pamap2": {"accuracy": "B158", "f1_macro": "B161"}, "opportunity": {"accuracy": "B164", "f1_macro": "B167"}},
}


#: paper B's Table 3 (the comparison): harlib model name → dataset ("wisdm", "pamap2",
#: "pamap2_50" for 50 % of the training data) → {metric: claim id}
USAD_TABLE3: dict[str, dict[str, dict[str, str]]] = {
    "cnn_zeng": {"pamap2": {"accuracy": "B193", "f1_macro": "B194"}, "pamap2_50": {"accuracy": "B195", "f1_macro": "B196"}, "wisdm": {"accuracy": "B197", "f1_macro": "B198"}},
    "lstm": {"pamap2": {"accuracy": "B199", "f1_macro": "B200"}, "pamap2_50": {"accuracy": "B201", "f1_macro": "B202"}, "wisdm": {"accuracy": "B203", "f1_macro": "B204"}},
    "lstm_cnn": {"pamap2": {"accuracy": "B205", "f1_macro": "B206"}, "pamap2_50": {"accuracy": "B207", "f1_macro": "B208"}, "wisdm": {"accuracy": "B209", "f1_macro": "B210"}},
    "cnn_gru": {"pamap2": {"accuracy": "B211", "f1_macro": "B212"}, "pamap2_50": {"accuracy": "B213", "f1_macro": "B214"}, "wisdm": {"accuracy": "B215", "f1_macro": "B216"}},
    "se_res2net": {"pamap2": {"accuracy": "B217", "f1_macro": "B218"}, "pamap2_50": {"accuracy": "B219", "f1_macro": "B220"}, "wisdm": {"accuracy": "B221", "f1_macro": "B222"}},
    "resnext": {"pamap2": {"accuracy": "B223", "f1_macro": "B224"}, "pamap2_50": {"accuracy": "B225", "f1_macro": "B226"}, "wisdm": {"accuracy": "B227", "f1_macro": "B228"}},
    "gated_res2net": {"pamap2": {"accuracy": "B229", "f1_macro": "B230"}, "pamap2_50": {"accuracy": "B231", "f1_macro": "B232"}, "wisdm": {"accuracy": "B233", "f1_macro": "B234"}},
    "rev_attention": {"pamap2": {"accuracy": "B235", "f1_macro": "B236"}, "pamap2_50": {"accuracy": "B237", "f1_macro": "B238"}, "wisdm": {"accuracy": "B239", "f1_macro": "B240"}},
    "mag_res2net": {"pamap2": {"accuracy": "B241", "f1_macro": "B242"}, "pamap2_50": {"accuracy": "B243", "f1_macro": "B244"}, "wisdm": {"accuracy": "B245", "f1_macro": "B246"}},
    "har_ce": {"pamap2": {"accuracy": "B247", "f1_macro": "B248"}, "pamap2_50": {"accuracy": "B249", "f1_macro": "B250"}, "wisdm": {"accuracy": "B251", "f1_macro": "B252"}},
    "elk": {"pamap2": {"accuracy": "B253", "f1_macro": "B254"}, "pamap2_50": {"accuracy": "B255", "f1_macro": "B256"}, "wisdm": {"accuracy": "B257", "f1_macro": "B258"}},
    "danhar": {"pamap2": {"accuracy": "B259", "f1_macro": "B260"}, "pamap2_50": {"accuracy": "B261", "f1_macro": "B262"}, "wisdm": {"accuracy": "B263", "f1_macro": "B264"}},
    "usad": {"pamap2": {"accuracy": "B265", "f1_macro": "B266"}, "pamap2_50": {"accuracy": "B267", "f1_macro": "B268"}, "wisdm": {"accuracy": "B269", "f1_macro": "B270"}},
}


#: paper B's Table 6: harlib model name → dataset → {"intra", "inter", "ratio": claim id}; B's
#: ratio is inter / intra (higher: more separable)
USAD_TABLE6: dict[str, dict[str, dict[str, str]]] = {
    "cnn_zeng": {"wisdm": {"intra": "B466", "inter": "B467", "ratio": "B468"}, "pamap2": {"intra": "B469", "inter": "B470", "ratio": "B471"}, "opportunity": {"intra": "B472", "inter": "B473", "ratio": "B474"}},
    "lstm": {"wisdm": {"intra": "B475", "inter": "B476", "ratio": "B477"}, "pamap2": {"intra": "B478", "inter": "B479", "ratio": "B480"}, "opportunity": {"intra": "B481", "inter": "B482", "ratio": "B483"}},
    "resnet50_1d": {"wisdm": {"intra": "B484", "inter": "B485", "ratio": "B486"}, "pamap2": {"intra": "B487", "inter": "B488", "ratio": "B489"}, "opportunity": {"intra": "B490", "inter": "B491", "ratio": "B492"}},
    "se_res2net": {"wisdm": {"intra": "B493", "inter": "B494", "ratio": "B495"}, "pamap2": {"intra": "B496", "inter": "B497", "ratio": "B498"}, "opportunity": {"intra": "B499", "inter": "B500", "ratio": "B501"}},
    "mag_res2net": {"wisdm": {"intra": "B502", "inter": "B503", "ratio": "B504"}, "pamap2": {"intra": "B505", "inter": "B506", "ratio": "B507"}, "opportunity": {"intra": "B508", "inter": "B509", "ratio": "B510"}},
    "atfa": {"wisdm": {"intra": "B511", "inter": "B512", "ratio": "B513"}, "pamap2": {"intra": "B514", "inter": "B515", "ratio": "B516"}, "opportunity": {"intra": "B517", "inter": "B518", "ratio": "B519"}},
    "tccsnet": {"wisdm": {"intra": "B520", "inter": "B521", "ratio": "B522"}, "pamap2": {"intra": "B523", "inter": "B524", "ratio": "B525"}, "opportunity": {"intra": "B526", "inter": "B527", "ratio": "B528"}},
    "usad": {"wisdm": {"intra": "B529", "inter": "B530", "ratio": "B531"}, "pamap2": {"intra": "B532", "inter": "B533", "ratio": "B534"}, "opportunity": {"intra": "B535", "inter": "B536", "ratio": "B537"}},
}


#: paper B's App. C (PAMAP2) loss-hyperparameter study: variant label (as
#: :func:`harlib.papers.usad.usad_loss_study` names it) → {metric: claim id}
USAD_APPC: dict[str, dict[str, str]] = {
    "label smoothing ε=0": {"accuracy": "B541", "f1_macro": "B542", "ece": "B543"},
    "label smoothing ε=0.05": {"accuracy": "B544", "f1_macro": "B545", "ece": "B546"},
    "label smoothing ε=0.1": {"accuracy": "B547", "f1_macro": "B548", "ece": "B549"},
    "label smoothing ε=0.2": {"accuracy": "B550", "f1_macro": "B551", "ece": "B552"},
    "focal γ=1 α=0.25": {"accuracy": "B553", "f1_macro": "B554"},
    "focal γ=2 α=0.25": {"accuracy": "B555", "f1_macro": "B556"},
    "focal γ=3 α=0.25": {"accuracy": "B557", "f1_macro": "B558"},
    "focal γ=1 α=0.5": {"accuracy": "B559", "f1_macro": "B560"},
    "focal γ=1 α=0.75": {"accuracy": "B561", "f1_macro": "B562"},
    "CB β=0.9": {"accuracy": "B563", "f1_macro": "B564"},
    "CB β=0.99": {"accuracy": "B565", "f1_macro": "B566"},
    "CB β=0.999": {"accuracy": "B567", "f1_macro": "B568"},
    "weights [0.33, 0.33, 0.34]": {"accuracy": "B577", "f1_macro": "B578", "precision_macro": "B579", "recall_macro": "B580"},
    "weights [0.6, 0.2, 0.2]": {"accuracy": "B581", "f1_macro": "B582", "precision_macro": "B583", "recall_macro": "B584"},
    "weights [0.2, 0.6, 0.2]": {"accuracy": "B585", "f1_macro": "B586", "precision_macro": "B587", "recall_macro": "B588"},
    "temperature 0.5": {"accuracy": "B589", "f1_macro": "B590", "precision_macro": "B591", "recall_macro": "B592"},
    "temperature 2": {"accuracy": "B593", "f1_macro": "B594", "precision_macro": "B595", "recall_macro": "B596"},
    "bounds [0.3, 0.6]": {"accuracy": "B597", "f1_macro": "B598", "precision_macro": "B599", "recall_macro": "B600"},
    "bounds [0.05, 0.9]": {"accuracy": "B601", "f1_macro": "B602", "precision_macro": "B603", "recall_macro": "B604"},
    "composite, ε=0": {"accuracy": "B609", "f1_macro": "B610"},
    "composite, ε=0.05": {"accuracy": "B611", "f1_macro": "B612"},
    "composite, ε=0.1": {"accuracy": "B613", "f1_macro": "B614"},
    "composite, ε=0.2": {"accuracy": "B615", "f1_macro": "B616"},
    "composite, γ=1 α=0.25": {"accuracy": "B617", "f1_macro": "B618"},
    "composite, γ=2 α=0.25": {"accuracy": "B619", "f1_macro": "B620"},
    "composite, γ=3 α=0.25": {"accuracy": "B621", "f1_macro": "B622"},
    "composite, γ=1 α=0.5": {"accuracy": "B623", "f1_macro": "B624"},
    "composite, γ=1 α=0.75": {"accuracy": "B625", "f1_macro": "B626"},
    "composite, β=0.9": {"accuracy": "B627", "f1_macro": "B628"},
    "composite, β=0.99": {"accuracy": "B629", "f1_macro": "B630"},
    "composite, β=0.999": {"accuracy": "B631", "f1_macro": "B632"},
}


def paper_claim(claim_id: str) -> float:
    """The value of a paper's claim by its id (see :data:`PAPER_CLAIMS`)."""
    if claim_id not in PAPER_CLAIMS:
        raise KeyError(f"no claim {claim_id!r} held here; known: {', '.join(sorted(PAPER_CLAIMS))}")
    return PAPER_CLAIMS[claim_id]["value"]
