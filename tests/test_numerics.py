"""Pinned CPU numerics (harlib.core.numerics): the settings reach every library before it loads,
a variable already set is kept, and ``native`` switches the pinning off."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harlib.core import numerics

REPO = Path(__file__).resolve().parent.parent
PROBE = ("import harlib.models, json, numpy, torch; from harlib import numerics; "
         "print(json.dumps(numerics.state()))")


def _state_in_fresh_python(**env) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if k not in {*numerics.ENVIRONMENT, numerics.MODE_ENV}}
    out = subprocess.run([sys.executable, "-c", PROBE], env={**clean, **env}, cwd=REPO,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _has_avx2() -> bool:
    return "avx2" in Path("/proc/cpuinfo").read_text()


def test_import_harlib_pins_every_library_before_it_loads():
    s = _state_in_fresh_python()
    assert s["mode"] == "pinned"
    assert {k: s[k] for k in numerics.ENVIRONMENT} == numerics.ENVIRONMENT
    assert s["torch_cpu_capability"] == ("AVX2" if _has_avx2() else "DEFAULT")
    assert s["torch_mkldnn"] is False and s["torch_nnpack"] is False
    assert "X86_V4" not in s.get("numpy_dispatch", "")


def test_a_variable_already_set_is_kept_and_native_pins_nothing():
    s = _state_in_fresh_python(ATEN_CPU_CAPABILITY="default")
    assert s["torch_cpu_capability"] == "DEFAULT"
    assert s["MKL_CBWR"] == numerics.ENVIRONMENT["MKL_CBWR"]
    native = _state_in_fresh_python(HARLIB_NUMERICS="native")
    assert native["mode"] == "native" and native["MKL_CBWR"] is None
    assert native["torch_mkldnn"] is True


def test_unknown_mode_and_unknown_cpu_are_refused(monkeypatch):
    monkeypatch.setenv(numerics.MODE_ENV, "fast")
    with pytest.raises(ValueError, match="HARLIB_NUMERICS='fast'.*pinned, native"):
        numerics.mode()
    with pytest.raises(KeyError, match="unknown CPU 'AVX-1024'.*AVX2"):
        numerics.exports("AVX-1024")


def test_exports_name_each_setting_for_a_shell():
    lines = numerics.exports("AVX2 (x86-64-v3)").splitlines()
    assert "export ATEN_CPU_CAPABILITY=avx2" in lines
    assert "export NPY_DISABLE_CPU_FEATURES='X86_V4 AVX512_ICL AVX512_SPR'" in lines


def test_check_reports_torch_loaded_with_other_dispatch():
    code = ("import os; os.environ['ATEN_CPU_CAPABILITY'] = 'default'; import torch; "
            "torch.backends.cpu.get_cpu_capability(); os.environ['ATEN_CPU_CAPABILITY'] = 'avx2'; "
            "from harlib import numerics; print(numerics.check())")
    clean = {k: v for k, v in os.environ.items() if k not in numerics.ENVIRONMENT}
    out = subprocess.run([sys.executable, "-c", code], env=clean, cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    assert "torch dispatches to DEFAULT kernels, not AVX2" in out or not _has_avx2()


def test_a_cpu_without_avx2_gets_openblas_kernels_it_can_run():
    """Forced Haswell kernels would stop on an illegal instruction there (OpenBLAS does not
    check a forced core type against the CPU)."""
    with_avx2 = "processor\t: 0\nflags\t\t: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx avx2\n"
    without = "processor\t: 0\nflags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 popcnt avx\n"
    fma_only = "flags\t\t: fpu sse4_2 avx fma\n"
    assert numerics.cpu_has_avx2(with_avx2) and not numerics.cpu_has_avx2(without)
    assert not numerics.cpu_has_avx2(fma_only)
    assert numerics.cpu_has_avx2("model name\t: a CPU whose flags are not listed\n")   # assumed
    assert numerics.pins(True) == numerics.ENVIRONMENT
    assert numerics.pins(False) == {**numerics.ENVIRONMENT, "OPENBLAS_CORETYPE": "Nehalem"}


def test_the_cpu_level_follows_the_kernels_torch_runs():
    code = "import harlib, torch; from harlib.core import numerics; print(numerics.level())"
    clean = {k: v for k, v in os.environ.items() if k not in {*numerics.ENVIRONMENT, numerics.MODE_ENV}}
    for env, want in (({"ATEN_CPU_CAPABILITY": "default"}, "x86-64-v2"),
                      ({}, "x86-64-v3" if _has_avx2() else "x86-64-v2")):
        out = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, cwd=REPO,
                             capture_output=True, text=True, check=True).stdout.split()[-1]
        assert out == want, env
