"""Connection links: Linear, Convolution2D."""
