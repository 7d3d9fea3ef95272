"""``vcp models pin``: the plan of what to pin (``plan``), moving pins to newer commits
(``upgrade``), comment-preserving YAML edits (``yaml_edits``), the printed report (``report``) and
the command's entry point (``pin``)."""
