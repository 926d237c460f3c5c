"""The canonical model: citations, diagnostics, the run's contexts."""
