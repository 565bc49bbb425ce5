"""Input and output serializers, one module per feature."""
