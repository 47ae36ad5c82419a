"""Noise functions: dropout."""
