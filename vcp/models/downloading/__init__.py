"""Downloading one file: the transfer (``transfer``), its resumable state on disk (``partial``),
byte ranges and pieces (``ranges``) and the disk budget (``diskspace``)."""
