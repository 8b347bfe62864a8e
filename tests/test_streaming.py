"""The streaming recogniser (harlib.deploy.streaming): ring-buffer order, stride, gaps, bad input,
per-sample scores, and the command line on an exported run."""
from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from harlib.data.base import UNLABELLED
from harlib.deploy.streaming import StreamingRecognizer, frame_labels, main, stream_scores

from conftest import export_stand_in


def last_sample_classifier(window):
    """Logits whose argmax is the (rounded) first channel of the window's last sample: the
    label reveals which samples the window held, and in which order."""
    def classify(x):
        assert x.shape[2] == window and x.dtype == np.float32
        logits = np.zeros((1, 100), np.float32)
        logits[0, int(round(float(x[0, 0, -1])))] = 1
        return logits
    return classify


def test_windows_are_in_order_and_labels_come_every_stride():
    signal = np.stack([np.arange(20.0), np.zeros(20)], axis=1)      # channel 0 counts samples
    seen = []

    def classify(x):
        seen.append(x[0, 0].copy())
        return last_sample_classifier(5)(x)
    rec = StreamingRecognizer(classify, n_channels=2, window=5, stride=3)
    result = rec.run(signal)
    assert list(result.emissions["sample"]) == [4, 7, 10, 13, 16, 19]   # first when full, then every 3
    assert list(result.emissions["label"]) == [4, 7, 10, 13, 16, 19]
    np.testing.assert_array_equal(seen[1], [3, 4, 5, 6, 7])             # the ring buffer, in time order
    assert (result.emissions.latency_ms >= 0).all() and result.gaps == []


def test_standardisation_and_frame_labels():
    signal = np.full((8, 1), 10.0)
    rec = StreamingRecognizer(last_sample_classifier(4), 1, window=4, stride=2, mean=[7.0], std=[1.5])
    result = rec.run(signal)
    assert set(result.emissions["label"]) == {2}                         # (10 - 7) / 1.5
    pred = frame_labels(result)
    np.testing.assert_array_equal(pred, [UNLABELLED] * 3 + [2] * 5)
    truth = np.array([0, 0, 0, 2, 2, 2, 1, UNLABELLED])
    scores = stream_scores(pred, truth)
    assert scores["samples"] == 4 and scores["accuracy"] == pytest.approx(0.75)
    assert scores["coverage"] == pytest.approx(4 / 7)


def test_a_gap_is_reported_and_not_bridged():
    signal = np.arange(12.0)[:, None]
    t = np.arange(12) / 10.0
    t[6:] += 2.0                                                        # 2 s missing after sample 5
    result = StreamingRecognizer(last_sample_classifier(4), 1, 4, 1, sampling_rate=10.0).run(signal, t)
    assert result.gaps == [{"after_sample": 5, "seconds": pytest.approx(2.1)}]
    # labels at 3, 4, 5; then the buffer refills from sample 6: the next label is at 9
    assert list(result.emissions["sample"]) == [3, 4, 5, 9, 10, 11]
    pred = frame_labels(result)
    assert (pred[6:9] == UNLABELLED).all() and pred[9] == 9


def test_bad_streams_raise_clear_errors():
    rec = StreamingRecognizer(last_sample_classifier(4), 2, 4, 2)
    with pytest.raises(ValueError, match=r"\(time, 2\)"):
        rec.run(np.zeros((10, 3)))
    bad = np.zeros((10, 2))
    bad[6, 1] = np.nan
    with pytest.raises(ValueError, match="sample 6: channel 1 is nan"):
        rec.run(bad)
    with pytest.raises(ValueError, match="sample 0: expected 2 channels"):
        rec.push([1.0, 2.0, 3.0], index=0)
    with pytest.raises(ValueError, match="stride must be between 1 and the window"):
        StreamingRecognizer(last_sample_classifier(4), 2, 4, 5)
    with pytest.raises(ValueError, match="timestamp .* does not follow"):
        rec.run(np.zeros((3, 2)), np.array([0.0, 0.1, 0.1]))
    with pytest.raises(ValueError, match="one value per channel"):
        StreamingRecognizer(last_sample_classifier(4), 2, 4, 2, mean=[0.0])


def test_command_line_runs_an_exported_run(basicmotions_windows, tmp_path, capsys):
    pytest.importorskip("onnxruntime")
    from harlib.deploy.export import export_run
    from harlib.training.runs import RunStore
    from harlib.training.train import TrainConfig, fit
    ws, split = basicmotions_windows
    run = fit("cnn1d", ws, split, TrainConfig(max_epochs=1, patience=1, batch_size=16), store=RunStore(tmp_path / "runs"))
    export_run(run, tmp_path / "bundle", sampling_rate=10.0)
    samples = pd.DataFrame(np.random.default_rng(0).normal(size=(120, ws.n_channels)),
                           columns=[c.name for c in ws.channels])
    samples["timestamp"] = np.arange(120) / 10.0
    samples.to_csv(tmp_path / "s.csv", index=False)
    assert main([str(tmp_path / "bundle"), str(tmp_path / "s.csv"), "--stride", "10"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "sample,label,latency_ms"
    assert len(lines) == 1 + 1 + (120 - ws.length) // 10                  # header + first + every 10
    assert lines[1].split(",")[1] in ws.class_names
    with pytest.raises(FileNotFoundError, match="model.json"):
        main([str(tmp_path), str(tmp_path / "s.csv")])


def test_run_store_result_by_key(tmp_path):
    from harlib.training.runs import RunStore
    with pytest.raises(KeyError, match="no complete run 'abc'"):
        RunStore(tmp_path).result("abc")


def test_export_run_refuses_a_run_trained_on_windows_with_history(tmp_path):
    from types import SimpleNamespace
    from harlib.deploy.export import ExportError, export_run
    run = SimpleNamespace(key="abc", record={"model": "memae_lstm", "window": {"length": 50, "history": 4}})
    with pytest.raises(ExportError, match="after 4 preceding windows"):
        export_run(run, tmp_path / "bundle")
    assert not (tmp_path / "bundle").exists()


# ---- the command line refuses what it cannot run on, naming the file, line and column -------
@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """An exported folder: channels ax, ay, az at 10 Hz, windows of 8 samples; the label is
    the capitalised name of the channel with the largest mean."""
    pytest.importorskip("onnxruntime")
    return export_stand_in(tmp_path_factory.mktemp("bundle") / "model")


def _csv(path, n=20, rate=10.0, order=("ax", "ay", "az"), timestamps=True):
    """``n`` samples where channel ax is large: every label must be AX."""
    table = pd.DataFrame({"ax": 5.0, "ay": 1.0, "az": 0.0}, index=range(n))[list(order)]
    if timestamps:
        table.insert(0, "timestamp", np.arange(n) / rate)
    table.to_csv(path, index=False)
    return path


def _labels(capsys) -> list[str]:
    return [line.split(",")[1] for line in capsys.readouterr().out.strip().splitlines()[1:]]


def test_columns_are_matched_by_name_in_any_order_and_a_mismatch_is_refused(bundle, tmp_path, capsys):
    assert json.loads((bundle / "model.json").read_text())["channel_names"] == ["ax", "ay", "az"]
    assert main([str(bundle), str(_csv(tmp_path / "in_order.csv")), "--stride", "4"]) == 0
    in_order = _labels(capsys)
    assert main([str(bundle), str(_csv(tmp_path / "reversed.csv", order=("az", "ay", "ax"))), "--stride", "4"]) == 0
    assert _labels(capsys) == in_order == ["AX"] * 4
    renamed = tmp_path / "renamed.csv"
    pd.read_csv(_csv(renamed)).rename(columns={"ax": "acc_x"}).to_csv(renamed, index=False)
    with pytest.raises(SystemExit, match=re.escape(str(renamed)) + r".*missing \['ax'\], unknown \['acc_x'\]"):
        main([str(bundle), str(renamed)])


def test_a_folder_without_channel_names_takes_columns_in_file_order_and_says_so(bundle, tmp_path, capsys):
    old = tmp_path / "old"
    shutil.copytree(bundle, old)
    meta = json.loads((old / "model.json").read_text())
    del meta["channel_names"]
    (old / "model.json").write_text(json.dumps(meta))
    assert main([str(old), str(_csv(tmp_path / "s.csv", order=("ay", "ax", "az")))]) == 0
    captured = capsys.readouterr()
    assert "lists no channel names" in captured.err and "in file order" in captured.err
    assert {line.split(",")[1] for line in captured.out.strip().splitlines()[1:]} == {"AY"}


def test_timestamps_at_another_rate_than_the_model_are_refused(bundle, tmp_path, capsys):
    for rate in (20.0, 5.0, 10.6):                         # the model takes 10 Hz
        csv = _csv(tmp_path / f"{rate}.csv", n=60, rate=rate)
        with pytest.raises(SystemExit, match=re.escape(str(csv)) + rf".*{rate:.4g} Hz; the model takes 10 Hz "
                                                                  r"\(tolerance ±5%\)"):
            main([str(bundle), str(csv)])
    assert main([str(bundle), str(_csv(tmp_path / "s.csv", rate=10.4)), "--stride", "4"]) == 0   # within it
    assert _labels(capsys) == ["AX"] * 4


def test_nan_timestamps_are_refused(bundle, tmp_path):
    csv = _csv(tmp_path / "s.csv")
    table = pd.read_csv(csv)
    table.loc[9:, "timestamp"] = np.nan                    # NaN from the tenth sample on
    table.to_csv(csv, index=False, na_rep="NaN")
    with pytest.raises(SystemExit, match=re.escape(str(csv)) + r", line 11, column 'timestamp': 'NaN' is not a finite"):
        main([str(bundle), str(csv)])
    rec = StreamingRecognizer(last_sample_classifier(4), 1, 4, 1, sampling_rate=10.0)
    with pytest.raises(ValueError, match="sample 3: timestamp is nan"):
        rec.run(np.zeros((6, 1)), np.array([0.0, 0.1, 0.2, np.nan, 0.4, 0.5]))


@pytest.mark.parametrize("content,match", [
    ("", "the file is empty"),
    ("timestamp,ax,ay,az\n0.0,1,2,3\n0.1,1,abc,3\n", r", line 3, column 'ay': 'abc' is not a finite number"),
    ("timestamp,ax,ay,az\n", "0 samples, fewer than one window \\(8 samples\\)"),
    ("timestamp,ax,ay,az\n" + "".join(f"{i / 10},1,2,3\n" for i in range(5)), "5 samples, fewer than one window"),
    ("".join(f"{i / 10},1,2,3\n" for i in range(20)), "no header row"),
], ids=["empty", "not_a_number", "header_only", "shorter_than_a_window", "no_header"])
def test_unusable_csv_files_exit_with_a_message_naming_the_file(bundle, tmp_path, content, match):
    csv = tmp_path / "s.csv"
    csv.write_text(content)
    with pytest.raises(SystemExit, match=re.escape(str(csv)) + ".*" + match):
        main([str(bundle), str(csv)])


def test_stride_zero_is_refused(bundle, tmp_path):
    with pytest.raises(SystemExit, match=r"--stride must be between 1 and the window \(8 samples\), got 0"):
        main([str(bundle), str(_csv(tmp_path / "s.csv")), "--stride", "0"])
