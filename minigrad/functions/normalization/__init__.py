"""Normalization functions: batch_normalization, fixed_batch_normalization, local_response_normalization."""
