"""The foundation every layer stands on: pinned CPU numerics (:mod:`.numerics`, loaded
first), where caches and outputs go (:mod:`.config`), the name → factory registry
(:mod:`~harlib.core.registry`), argument checks (:mod:`.checks`) and atomic file writes
(:mod:`.atomic`). Nothing here imports another harlib layer.
"""
