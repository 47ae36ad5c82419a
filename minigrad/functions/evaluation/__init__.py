"""Evaluation functions: accuracy."""
