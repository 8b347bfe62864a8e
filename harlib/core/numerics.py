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

The environment variables are read when each library loads, so they must be set before
NumPy and torch are imported. ``import harlib`` sets them (this module runs first) and the
scripts in ``tools/`` export them; :func:`check` reports a library that loaded before and
so missed them. A variable already set in the environment is left alone: that is how a
machine with fewer instruction sets is emulated (``benchmarks/isa_reproducibility.py``),
and how a reader opts out. ``HARLIB_NUMERICS=native`` switches the pinning off altogether
(torch's own dispatch, faster on some CPUs, not reproducible across them).

Measured (README, "Reproducibility across machines"): the pinned grid is bitwise identical
on every CPU this benchmark can emulate down to AVX2; with ``native`` numerics it is not.
"""
from __future__ import annotations

import os
import sys

#: the environment each library reads when it loads (see the module docstring)
ENVIRONMENT = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "MKL_CBWR": "COMPATIBLE,STRICT",
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
}
MODES = ("pinned", "native")

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


def set_environment() -> dict[str, str]:
    """Set every variable of :data:`ENVIRONMENT` that the environment does not set already
    (nothing under ``native``). Returns the variables it set."""
    if mode() == "native":
        return {}
    added = {k: v for k, v in ENVIRONMENT.items() if k not in os.environ}
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
    if torch is not None and want and torch.backends.cpu.get_cpu_capability() != want:
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

__all__ = ["EMULATED_CPUS", "ENVIRONMENT", "MODES", "check", "exports", "mode", "pin_torch",
           "set_environment", "state"]
