"""The evaluation layer: how a model is judged. Protocols (:mod:`.splits`) and paper C's
protocol leaks (:mod:`.leakage`), metrics (:mod:`.metrics`), clustering scores
(:mod:`.clustering`), robustness to corrupted input (:mod:`.robustness`), the fidelity of
synthetic windows (:mod:`.fidelity`), embedding views (:mod:`.embeddings`) and what a
notebook's runs are made of (:mod:`.invariants`).
"""
