"""The Hugging Face Hub: API answers parsed (``api``), the registry that asks (``registry``), its
answers kept on disk (``metadata``) and the token (``tokens``)."""
