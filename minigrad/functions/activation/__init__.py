"""Activation functions: relu, leaky_relu, sigmoid, tanh, softmax, log_softmax."""
