"""Normalization links: BatchNormalization."""
