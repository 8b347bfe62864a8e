"""The report layer: tables (:mod:`.tables`: CSV + Markdown + JSON provenance), figures
(:mod:`.plotting`), the claims-vs-reproduced summary (:mod:`.summary`), each notebook's
headline check (:mod:`.headlines`) and a model's shapes and sizes beside a paper's
(:mod:`.inspection`).
"""
