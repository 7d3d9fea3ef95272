"""Planning: which files a model needs (``specs``), what is known about each (``state``: a
``KnownFile`` or a ``PendingFile``, and the ``Plan``), what the cache and the Hub say about them
(``planner``), the pure checks of a plan (``checks``) and finishing a snapshot (``finish``)."""
