"""Model links that wrap a predictor, as ``chainer.links.model``."""
