"""HTTP views, one module per feature."""
