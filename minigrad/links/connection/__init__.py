"""Connection links: Linear, Convolution2D, Deconvolution2D, EmbedID, Inception, InceptionBN, MLPConvolution2D, Scale, Bias."""
