"""ONNX export (harlib.deploy.export): every registered model exports, and onnxruntime's logits
match torch's; INT8 quantisation runs; bad input gets clear errors and leaves no files."""
from __future__ import annotations

import numpy as np
import pytest
import torch

pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

from harlib.deploy.export import (PARITY_ATOL, ExportError, OnnxClassifier, check_parity,
                                  export_onnx, quantize_int8)
from harlib.models import create_model, model_names  # noqa: E402

torch.set_num_threads(1)
SHAPE = (9, 128)          # UCI-HAR's windows, which every model takes


@pytest.mark.parametrize("name", model_names())
def test_every_model_exports_with_parity(name, tmp_path):
    torch.manual_seed(0)
    model = create_model(name, *SHAPE[:1], 6, SHAPE[1])
    model.train()                                    # export must not depend on the caller's mode
    path = export_onnx(model, *SHAPE, tmp_path / f"{name}.onnx", name=name)
    assert model.training, "export left the caller's model in eval mode"
    onnx_model = OnnxClassifier(path)
    assert (onnx_model.in_channels, onnx_model.length, onnx_model.n_classes) == (*SHAPE, 6)
    x = np.random.default_rng(0).normal(size=(3, *SHAPE)).astype(np.float32)
    diff = check_parity(model, onnx_model, x)
    assert diff <= PARITY_ATOL * 10
    assert onnx_model.predict(x).shape == (3,)
    assert [p.name for p in tmp_path.iterdir()] == [f"{name}.onnx"], "temporary files were left"


def test_parity_check_fails_on_a_different_model(tmp_path):
    a, b = (create_model("cnn1d", 3, 4, 32) for _ in range(2))
    with torch.no_grad():
        for p in b.parameters():
            p.add_(0.5)
    onnx_a = OnnxClassifier(export_onnx(a, 3, 32, tmp_path / "a.onnx"))
    x = np.random.default_rng(1).normal(size=(4, 3, 32)).astype(np.float32)
    with pytest.raises(AssertionError, match="differ from torch's"):
        check_parity(b, onnx_a, x)


def test_int8_quantisation_keeps_most_predictions(tmp_path):
    torch.manual_seed(0)
    model = create_model("deepconvlstm", 3, 4, 64).eval()
    fp32 = export_onnx(model, 3, 64, tmp_path / "m.onnx")
    int8 = quantize_int8(fp32, tmp_path / "m_int8.onnx")
    assert int8.stat().st_size < fp32.stat().st_size
    x = np.random.default_rng(2).normal(size=(64, 3, 64)).astype(np.float32)
    a, b = OnnxClassifier(fp32).logits(x), OnnxClassifier(int8).logits(x)
    assert np.abs(a - b).max() < 0.5 * np.abs(a).max()      # close, not equal
    with pytest.raises(FileNotFoundError, match="no ONNX model"):
        quantize_int8(tmp_path / "missing.onnx", tmp_path / "q.onnx")


def test_bad_input_and_unexportable_models(tmp_path):
    model = create_model("cnn1d", 3, 4, 32)
    with pytest.raises(ValueError, match=".onnx"):
        export_onnx(model, 3, 32, tmp_path / "m.pt")
    onnx_model = OnnxClassifier(export_onnx(model, 3, 32, tmp_path / "m.onnx"))
    with pytest.raises(ValueError, match=r"\(batch, 3, 32\).*\(2, 4, 32\)"):
        onnx_model.logits(np.zeros((2, 4, 32), np.float32))
    with pytest.raises(ValueError, match="float"):
        onnx_model.logits(np.zeros((2, 3, 32), np.int64))
    with pytest.raises(FileNotFoundError):
        OnnxClassifier(tmp_path / "nothing.onnx")
    (tmp_path / "junk.onnx").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a model onnxruntime can load"):
        OnnxClassifier(tmp_path / "junk.onnx")

    class SingularValues(torch.nn.Module):           # an operator ONNX does not have
        def forward(self, x):
            return torch.linalg.svdvals(x)

    with pytest.raises(ExportError, match="SingularValues .* cannot be exported") as err:
        export_onnx(SingularValues(), 3, 8, tmp_path / "dd.onnx")
    assert "TorchScript exporter" in str(err.value) and "torch.export exporter" in str(err.value)
    assert not (tmp_path / "dd.onnx").exists()
    assert not any(p.name.startswith(".dd") for p in tmp_path.iterdir())


def test_deployment_report_on_a_trained_run(basicmotions_windows, tmp_path):
    from harlib.deploy.deployment import RUNTIMES, deployment_report, run_test_windows
    from harlib.training.runs import RunStore
    from harlib.training.train import TrainConfig, fit
    ws, split = basicmotions_windows
    run = fit("cnn1d", ws, split, TrainConfig(max_epochs=2, patience=2, batch_size=16),
              store=RunStore(tmp_path / "runs"))
    lat, acc = deployment_report({"cnn": run}, ws, tmp_path / "out", threads=(1, 2), batches=(1, 4), repeats=3)
    assert len(lat) == len(RUNTIMES) * 2 * 2 and (lat.latency_ms > 0).all()
    assert list(acc.runtime) == list(RUNTIMES)
    a = acc.set_index("runtime")
    assert a.loc["onnxruntime fp32", "f1_macro"] == a.loc["torch", "f1_macro"]
    assert a.loc["onnxruntime fp32", "max_abs_logit_diff"] < 1e-3
    assert a.loc["onnxruntime int8", "file_kb"] < a.loc["onnxruntime fp32", "file_kb"]
    assert sorted(p.name for p in (tmp_path / "out" / "cnn").iterdir()) == ["model.json", "model.onnx", "model_int8.onnx"]
    X, y = run_test_windows(run, ws)
    assert len(X) == len(y) == len(run.predictions["test_index"])


def test_int8_falls_back_to_matrix_products_for_stdualx(tmp_path):
    from harlib.deploy.export import int8_ops
    model = create_model("stdualx", 6, 4, 32)
    int8 = quantize_int8(export_onnx(model, 6, 32, tmp_path / "s.onnx"), tmp_path / "s8.onnx")
    assert int8_ops(int8) == "MatMul, Gemm"          # its convolution weights are computed
    cnn = quantize_int8(export_onnx(create_model("cnn1d", 3, 4, 32), 3, 32, tmp_path / "c.onnx"), tmp_path / "c8.onnx")
    assert int8_ops(cnn) == "all supported"
    x = np.random.default_rng(3).normal(size=(2, 6, 32)).astype(np.float32)
    assert OnnxClassifier(int8).logits(x).shape == (2, 4)


# ---- exported folders: model.onnx and model.json must belong together and make sense ---------
def _bundle(tmp_path, name="model", **kw):
    from conftest import export_stand_in
    return export_stand_in(tmp_path / name, **kw)


def test_export_records_the_checksum_and_run_key_and_load_checks_both(tmp_path):
    import json
    import re
    from harlib.core.atomic import sha256sum
    from harlib.deploy.export import load_exported, onnx_metadata
    from conftest import flip_byte
    a = _bundle(tmp_path, "a", key="run-a", model=create_model("cnn1d", 3, 3, 32), window=32)
    b = _bundle(tmp_path, "b", key="run-b", model=create_model("cnn1d", 3, 3, 32), window=32)
    meta = json.loads((a / "model.json").read_text())
    assert meta["onnx_sha256"] == sha256sum(a / "model.onnx") and meta["run_key"] == "run-a"
    assert onnx_metadata(a / "model.onnx")["harlib_run_key"] == "run-a"
    model, _ = load_exported(a)
    assert model.predict(np.zeros((2, 3, 32), np.float32)).shape == (2,)
    (a / "model.onnx").write_bytes((b / "model.onnx").read_bytes())          # another run's model
    with pytest.raises(ValueError, match=re.escape(str(a / "model.json")) + r": field 'run_key' is 'run-a', "
                                         r"but .* was exported from run 'run-b'"):
        load_exported(a)
    flip_byte(b / "model.onnx", 0.5)                                        # inside the weights
    with pytest.raises(ValueError, match=r"field 'onnx_sha256' does not match .*altered or damaged"):
        load_exported(b)


def test_a_folder_exported_before_checksums_loads_with_a_warning(tmp_path):
    import json
    from harlib.deploy.export import load_exported
    a = _bundle(tmp_path)
    meta = json.loads((a / "model.json").read_text())
    del meta["onnx_sha256"]
    (a / "model.json").write_text(json.dumps(meta))
    with pytest.warns(UserWarning, match="records no SHA-256 of model.onnx"):
        load_exported(a)


def _edit(field, value):
    def edit(meta):
        if value is _DROP:
            del meta[field]
        else:
            meta[field] = value
    return edit


_DROP = object()


@pytest.mark.parametrize("edit,field,match", [
    (_edit("class_names", ["AX", "AY"]), "class_names", "gives 2, but the graph in model.onnx has 3"),
    (_edit("sampling_rate", 0), "sampling_rate", "must be a positive number"),
    (_edit("sampling_rate", "fifty"), "sampling_rate", "must be a positive number.*'fifty'"),
    (_edit("norm_mean", _DROP), "norm_mean", "is missing"),
    (_edit("norm_std", [float("nan"), 1.0, 1.0]), "norm_std", "must list 3 finite numbers > 0"),
    (_edit("norm_std", [1.0, -1.0, 1.0]), "norm_std", "must list 3 finite numbers > 0"),
    (_edit("norm_std", [1.0, 1.0, 0.0]), "norm_std", "must list 3 finite numbers > 0"),
    (lambda m: m.update(in_channels=4, norm_mean=[0.0] * 4, norm_std=[1.0] * 4, channel_names=list("abcd")),
     "in_channels", "gives 4, but the graph in model.onnx has 3"),
    (_edit("window_length", 16), "window_length", "gives 16, but the graph in model.onnx has 8"),
    (_edit("channel_names", ["ax", "ax", "az"]), "channel_names", "must list 3 different names"),
], ids=["class_names_count", "rate_zero", "rate_text", "missing_key", "std_nan", "std_negative",
        "std_zero", "channels_vs_graph", "window_vs_graph", "channel_names_twice"])
def test_model_json_fields_are_checked_naming_the_file_and_field(tmp_path, edit, field, match):
    import json
    import re
    from harlib.deploy.export import load_exported
    a = _bundle(tmp_path)
    meta = json.loads((a / "model.json").read_text())
    edit(meta)
    (a / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=re.escape(str(a / "model.json")) + f": field '{field}' {match}"):
        load_exported(a)


def test_truncated_model_json_is_reported_as_such(tmp_path):
    import re
    from harlib.deploy.export import load_exported
    a = _bundle(tmp_path)
    text = (a / "model.json").read_text()
    (a / "model.json").write_text(text[: len(text) // 2])
    with pytest.raises(ValueError, match=re.escape(str(a / "model.json")) + ": not valid JSON .*truncated"):
        load_exported(a)
