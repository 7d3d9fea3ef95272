"""Planning: which files a model needs (``specs``), what the cache and the Hub say about them
(``planner``), the pure checks of a plan (``checks``) and finishing a snapshot (``finish``)."""
