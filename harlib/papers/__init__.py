"""The papers layer: one module per paper with its settings and the tables its notebooks
build (:mod:`~harlib.papers.memae` paper A, :mod:`~harlib.papers.usad` paper B, :mod:`~harlib.papers.stdualx` paper C), the
companion's own benchmark (:mod:`.baselines`), the figures the papers and WHAR Arena
publish (:mod:`.published`, never computed), and tables beside the claims
(:mod:`.claims`), training recipes (:mod:`.recipes`), and the two compared protocols run alike
(:mod:`.protocols`).
"""
