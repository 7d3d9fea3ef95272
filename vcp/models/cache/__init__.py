"""The model cache on disk: the store and its records (``store``), what it holds for a model
(``inspection``), per-file locks (``locks``) and reuse of the user's Hugging Face cache
(``hf_reuse``)."""
