"""Pinned CPU numerics: the same one-thread run gives the same bits on another x86 machine.

Torch, MKL, OpenBLAS and NumPy each pick their kernels by the CPU they find: AVX-512 on one
machine, AVX2 on another. The kernels sum in different orders and round differently, and a
training run amplifies the last bit into points of accuracy. harlib therefore pins every
library to one code path that every x86-64-v3 CPU (AVX2 + FMA: Intel since 2013, AMD
since 2015) runs alike:

=======================  ==========================  =====================================
library                  setting                     effect
=======================  ==========================  =====================================
ATen (torch's kernels)   ``ATEN_CPU_CAPABILITY``     its AVX2 kernels, never AVX-512
MKL (torch's BLAS)       ``MKL_CBWR``                conditional numerical reproducibility,
                                                     strict, on the ``COMPATIBLE`` branch:
                                                     MKL's AVX2 branch is Intel's only and
                                                     falls back to CPU dispatch elsewhere
oneDNN (torch)           ``torch.backends.mkldnn``   off: its kernels block by cache size
NNPACK (torch)           ``torch.backends.nnpack``   off (it dispatches by CPU as well)
OpenBLAS (NumPy, SciPy)  ``OPENBLAS_CORETYPE``       its Haswell (AVX2) kernels
NumPy's own loops        ``NPY_DISABLE_CPU_FEATURES``  no AVX-512 loops
=======================  ==========================  =====================================

On a CPU without AVX2 and FMA (x86-64-v2: Intel before 2013, and low-power Atom, Pentium
and Celeron lines since) no library can run those kernels: torch falls back to its
baseline kernels by itself, and OpenBLAS, which would run forced Haswell kernels and stop
on an illegal instruction, is pinned to its Nehalem (SSE4.2) kernels instead. Every such
CPU then computes alike, but not as an AVX2 CPU does, so the smoke profile's headline
numbers are recorded twice, once per level (:data:`LEVELS`, :func:`level`;
:mod:`harlib.report.headlines`), the x86-64-v2 ones on an emulated SSE4.2 CPU
(:data:`EMULATED_CPUS`).

The environment variables are read when each library loads, so they must be set before
NumPy and torch are imported. ``import harlib`` sets them (this module runs first) and the
scripts in ``tools/`` export them; :func:`check` reports a library that loaded before and
so missed them. A variable already set in the environment is left alone: that is how a
machine with fewer instruction sets is emulated (``benchmarks/isa_reproducibility.py``),
and how a reader opts out. ``HARLIB_NUMERICS=native`` switches the pinning off altogether
(torch's own dispatch, faster on some CPUs, not reproducible across them).

Measured (README, "Reproducibility across machines"): the pinned grid is bitwise identical
on every CPU this benchmark can emulate down to AVX2; with ``native`` numerics it is not.

The pinning is not enough on its own. On an Intel Sapphire Rapids CPU, MKL's branches gave
fp32 numbers unlike those of the AMD EPYC that recorded them, whichever branch was chosen
(``benchmarks/mkl_branches.py``). The smoke profile, whose trained numbers are compared to
1e-6, therefore trains in fp64 (:attr:`harlib.training.profiles.Profile.precision`): a
reduction order that moves the last bit of fp32 moves fp64's about nine orders of
magnitude lower, where training no longer carries it into whole test windows.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

#: the environment each library reads when it loads (see the module docstring)
ENVIRONMENT = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "MKL_CBWR": "COMPATIBLE,STRICT",
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
}
MODES = ("pinned", "native")
#: the two CPU levels that compute alike under the pinned numerics: with AVX2 and FMA
#: (x86-64-v3; :data:`ENVIRONMENT`), and without them (x86-64-v2; :func:`pins`)
V3, V2 = "x86-64-v3", "x86-64-v2"
LEVELS = (V3, V2)
#: OpenBLAS's kernels on a CPU without AVX2 (forced Haswell kernels would not run there)
OPENBLAS_WITHOUT_AVX2 = "Nehalem"

#: CPUs with fewer instruction sets than an AVX-512 (BF16, VNNI) machine, emulated there by
#: capping each library's dispatch (benchmarks/isa_reproducibility.py, tools/test.sh)
EMULATED_CPUS = {
    "AVX-512 without BF16/VNNI": {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE",
                                  "MKL_ENABLE_INSTRUCTIONS": "AVX512",
                                  "NPY_DISABLE_CPU_FEATURES": "AVX512_ICL AVX512_SPR"},
    "AVX2 (x86-64-v3)": {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2",
                         "MKL_ENABLE_INSTRUCTIONS": "AVX2", "OPENBLAS_CORETYPE": "Haswell",
                         "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"},
    "SSE4.2 (x86-64-v2)": {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41",
                           "MKL_ENABLE_INSTRUCTIONS": "SSE4_2", "OPENBLAS_CORETYPE": "Nehalem",
                           "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"},
}
MODE_ENV = "HARLIB_NUMERICS"


def mode() -> str:
    """``pinned`` (default) or ``native``, from ``$HARLIB_NUMERICS``."""
    m = os.environ.get(MODE_ENV, "pinned") or "pinned"
    if m not in MODES:
        raise ValueError(f"{MODE_ENV}={m!r}: choose one of {', '.join(MODES)}")
    return m


def cpu_has_avx2(cpuinfo: str | None = None) -> bool:
    """Whether this CPU has AVX2 and FMA (x86-64-v3), from the flags in ``/proc/cpuinfo``
    (or the text ``cpuinfo``). Where that file is absent (not Linux) it is assumed: every
    x86 Mac since 2013 has both."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return True
    flags = next((line.split(":", 1)[1].split() for line in cpuinfo.splitlines()
                  if line.startswith("flags")), None)
    return flags is None or {"avx2", "fma"} <= set(flags)


def _first_fields(cpuinfo: str) -> dict[str, str]:
    """Field name → value of ``/proc/cpuinfo``'s text, each from the first processor listing it."""
    found = {}
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        found.setdefault(key.strip(), value.strip())
    return found


#: CPU features that tell apart the generations whose fp32 kernels can differ (MKL picks its
#: kernels by them; README, "Reproducibility across machines"): cloud CPUs often report only
#: a generic model name
GENERATION_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile")


def cpu_generation(cpuinfo: str | None = None) -> dict:
    """Which of :data:`GENERATION_FLAGS` this CPU reports, and its family and model numbers,
    from ``/proc/cpuinfo`` (or the text ``cpuinfo``); empty where there is no such file."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return {}
    found = _first_fields(cpuinfo)
    flags = set(found.get("flags", "").split())
    return {"family": found.get("cpu family"), "model": found.get("model"),
            "flags": [f for f in GENERATION_FLAGS if f in flags]}


def cpu_model() -> tuple[str, str]:
    """This CPU's model name and vendor, from ``/proc/cpuinfo`` where there is one (the
    processor's name from :mod:`platform` otherwise)."""
    import platform
    try:
        found = _first_fields(Path("/proc/cpuinfo").read_text())
    except OSError:
        found = {}
    return found.get("model name", platform.processor() or "unknown"), found.get("vendor_id", "unknown")


def pins(has_avx2: bool | None = None) -> dict[str, str]:
    """The settings for this CPU (or one with/without AVX2): :data:`ENVIRONMENT`, with
    OpenBLAS on :data:`OPENBLAS_WITHOUT_AVX2` kernels where the CPU lacks AVX2."""
    has_avx2 = cpu_has_avx2() if has_avx2 is None else has_avx2
    return dict(ENVIRONMENT) if has_avx2 else {**ENVIRONMENT, "OPENBLAS_CORETYPE": OPENBLAS_WITHOUT_AVX2}


def level() -> str:
    """The CPU level whose numbers this process computes: :data:`V2` where torch runs its
    baseline kernels (a CPU without AVX2, or ``ATEN_CPU_CAPABILITY=default`` as the
    emulated SSE4.2 CPU sets), else :data:`V3`."""
    torch = sys.modules.get("torch")
    if torch is not None:
        default = torch.backends.cpu.get_cpu_capability() == "DEFAULT"
    else:
        default = os.environ.get("ATEN_CPU_CAPABILITY", "").lower() == "default" or not cpu_has_avx2()
    return V2 if default else V3


def set_environment() -> dict[str, str]:
    """Set every variable of :func:`pins` (:data:`ENVIRONMENT` for this CPU) that the
    environment does not set already (nothing under ``native``). Returns the variables it set."""
    if mode() == "native":
        return {}
    added = {k: v for k, v in pins().items() if k not in os.environ}
    os.environ.update(added)
    return added


def pin_torch() -> None:
    """torch's run-time switches: oneDNN and NNPACK off (pinned mode only). Called by every
    path that builds or runs a network (:mod:`harlib.models`, the training engine)."""
    if mode() == "native":
        return
    import torch

    torch.backends.mkldnn.enabled = False
    torch.backends.nnpack.set_flags(False)


def state() -> dict:
    """What each library runs on now: the dispatch torch, NumPy and OpenBLAS chose, and the
    settings that decide it (for a run's record and the benchmark's table)."""
    out = {"mode": mode(), **{k: os.environ.get(k) for k in ENVIRONMENT},
           "MKL_ENABLE_INSTRUCTIONS": os.environ.get("MKL_ENABLE_INSTRUCTIONS"),
           "ONEDNN_MAX_CPU_ISA": os.environ.get("ONEDNN_MAX_CPU_ISA")}
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        out["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
        out["torch_threads"] = torch.get_num_threads()
        out["torch_mkldnn"] = bool(torch.backends.mkldnn.enabled)
        out["torch_nnpack"] = bool(torch._C._get_nnpack_enabled())
    if "numpy" in sys.modules:
        try:
            from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
            out["numpy_dispatch"] = " ".join(t for t in __cpu_dispatch__ if __cpu_features__.get(t))
        except ImportError:   # NumPy 1.x
            pass
    return out


def check() -> list[str]:
    """Problems with the pinning in this process: a library that loaded before the settings
    were made, so that it dispatches by the CPU (empty under ``native``, or when all is well)."""
    if mode() == "native":
        return []
    problems = []
    torch = sys.modules.get("torch")
    want = os.environ.get("ATEN_CPU_CAPABILITY", "").upper()
    expected = want == "AVX2" and not cpu_has_avx2()       # the CPU lacks it: baseline kernels
    if torch is not None and want and not expected and torch.backends.cpu.get_cpu_capability() != want:
        problems.append(f"torch dispatches to {torch.backends.cpu.get_cpu_capability()} kernels, not "
                        f"{want}: it was imported before harlib with another ATEN_CPU_CAPABILITY, "
                        f"or this CPU lacks {want}")
    if _loaded_before and _ADDED:
        problems.append(f"{', '.join(_loaded_before)} loaded before harlib and may not have read "
                        f"{', '.join(ENVIRONMENT)}: import harlib first, or start Python through "
                        f"tools/env.sh, which exports them")
    return problems


def exports(emulate: str | None = None) -> str:
    """``export NAME=value`` lines for a shell: each pinned variable the environment does not
    set already (none under ``native``), for ``tools/env.sh``; with ``emulate``, the
    settings of that CPU of :data:`EMULATED_CPUS` instead."""
    import shlex

    if emulate is not None:
        if emulate not in EMULATED_CPUS:
            raise KeyError(f"unknown CPU {emulate!r}; emulated: {', '.join(EMULATED_CPUS)}")
        env = EMULATED_CPUS[emulate]
    else:
        env = _ADDED
    return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in env.items())


#: NumPy or torch, where they loaded before this module could set their environment
_loaded_before = [m for m in ("numpy", "torch") if m in sys.modules]
#: what this module set (nothing under ``native``, nor for a variable already set)
_ADDED = set_environment()

__all__ = ["EMULATED_CPUS", "ENVIRONMENT", "LEVELS", "MODES", "V2", "V3", "check", "cpu_has_avx2", "cpu_model", "exports",
           "level", "mode", "pin_torch", "pins", "set_environment", "state"]
