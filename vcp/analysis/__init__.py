"""Analysis of media: detectors, their labels and the report (built up by the analysis issue)."""
