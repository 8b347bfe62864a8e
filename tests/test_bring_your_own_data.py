"""What a new user trips over when bringing a dataset: labels, units, search depth,
re-registration — and the public-API path giving the built-in loader's arrays."""
from __future__ import annotations

import numpy as np
import pytest

from harlib.data import (UNLABELLED, Channel, DatasetNotFoundError, HARDataset, Recording,
                         load_dataset, locate, register_dataset)
from harlib.data import hapt
from harlib.data.registry import DATASETS

from conftest import write_hapt


def _dataset(labels, classes=("a", "b", "c")):
    rec = Recording(1, "s1", np.zeros((len(labels), 1), np.float32), np.asarray(labels, np.int16))
    return HARDataset("mine", 10.0, classes, (Channel("c", "wrist", "acc"),), [rec])


def test_labels_outside_the_class_list_are_refused_naming_the_recording():
    _dataset([UNLABELLED, 0, 1, 2])                           # fine
    with pytest.raises(ValueError, match=r"recording 's1' has labels \[3\] outside 0..2.*start at 1"):
        _dataset([1, 2, 3])
    with pytest.raises(ValueError, match="labels of type float"):
        rec = Recording(1, "s1", np.zeros((2, 1), np.float32), np.array([0.0, 1.0]))
        HARDataset("mine", 10.0, ("a", "b"), (Channel("c", "wrist", "acc"),), [rec])


def test_search_depth_is_stated_and_three_levels_deep(isolated):
    data, _ = isolated
    deep = data / "a" / "b"
    deep.mkdir(parents=True)
    write_hapt(deep)                                  # data/a/b/HAPT Data Set/RawData/labels.txt
    assert locate(hapt.SOURCE).name == "HAPT Data Set"
    for p in sorted(data.rglob("*"), reverse=True):
        p.unlink() if p.is_file() else p.rmdir()
    with pytest.raises(DatasetNotFoundError, match="up to 3 folder levels below each"):
        locate(hapt.SOURCE)


def test_re_registering_the_same_builder_works_and_another_needs_replace(isolated):
    def build():
        return _dataset([0, 1])
    try:
        register_dataset("byod_demo")(build)
        register_dataset("byod_demo")(build)          # a notebook cell run twice
        assert load_dataset("byod_demo").n_samples == 2

        def other():
            return _dataset([0, 1, 2])
        with pytest.raises(ValueError, match="already registered.*replace=True"):
            register_dataset("byod_demo")(other)
        register_dataset("byod_demo", replace=True)(other)
        assert load_dataset("byod_demo").n_samples == 3   # the old cached arrays are not served
    finally:
        DATASETS.unregister("byod_demo")


def test_public_api_path_gives_the_builtin_arrays(isolated):
    data, _ = isolated
    root = write_hapt(data) / "RawData"
    segments = np.loadtxt(root / "labels.txt", dtype=np.int64)
    recordings = []
    for acc_path in sorted(root.glob("acc_exp*_user*.txt")):
        _, exp, user = acc_path.stem.split("_")
        session, subject = int(exp[3:]), int(user[4:])
        acc = np.loadtxt(acc_path).astype(np.float32)
        gyro = np.loadtxt(root / acc_path.name.replace("acc_", "gyro_")).astype(np.float32)
        labels = np.full(len(acc), UNLABELLED, dtype=np.int16)
        for _, _, activity, first, last in segments[segments[:, 0] == session]:
            labels[first - 1:last] = activity - 1
        recordings.append(Recording(subject, f"exp{session:02d}_user{subject:02d}",
                                    np.hstack([acc, gyro]), labels))
    builtin = load_dataset("hapt")
    assert [r.session for r in recordings] == [r.session for r in builtin.recordings]
    for mine, theirs in zip(recordings, builtin.recordings):
        np.testing.assert_array_equal(mine.signals, theirs.signals)
        np.testing.assert_array_equal(mine.labels, theirs.labels)


@pytest.mark.parametrize("change,match", [
    ({"sampling_rate": -50.0}, "mine: sampling_rate must be a positive number of samples per second, got -50.0"),
    ({"sampling_rate": 0}, "sampling_rate must be a positive number"),
    ({"sampling_rate": float("nan")}, "sampling_rate must be a positive number"),
    ({"sampling_rate": True}, "sampling_rate must be a positive number"),
    ({"recordings": []}, "mine: no recordings"),
    ({"class_names": ("a", "b", "a")}, r"mine: class_names lists \['a'\] more than once"),
], ids=["negative_rate", "zero_rate", "nan_rate", "bool_rate", "no_recordings", "duplicate_class"])
def test_impossible_dataset_metadata_is_refused(change, match):
    fields = dict(name="mine", sampling_rate=10.0, class_names=("a", "b"), channels=(Channel("c", "wrist", "acc"),),
                  recordings=[Recording(1, "s1", np.zeros((2, 1), np.float32), np.array([0, 1], np.int16))])
    HARDataset(**fields)                                        # fine
    with pytest.raises(ValueError, match=match):
        HARDataset(**{**fields, **change})


def test_a_builder_that_returns_no_hardataset_is_named(isolated):
    def build_dict():
        return {"signals": np.zeros((3, 1))}
    try:
        register_dataset("byod_dict", sources=(hapt.SOURCE,))(build_dict)
        write_hapt(isolated[0])
        for use_cache in (False, True):
            with pytest.raises(TypeError, match="dataset 'byod_dict': its builder .*build_dict.* returned a "
                                                "dict; a builder must return a HARDataset"):
                load_dataset("byod_dict", use_cache=use_cache)
    finally:
        DATASETS.unregister("byod_dict")
