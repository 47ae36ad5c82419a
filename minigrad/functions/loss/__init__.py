"""Loss functions: softmax_cross_entropy, sigmoid_cross_entropy, mean_squared_error."""
