"""Ready-made models, as ``chainer/examples``: ``from minigrad import models``.

- :class:`AlexBN`, :class:`Alex`: Chainer's ImageNet AlexNet (227 x 227,
  ``loss = model(x, t)``).
- :class:`LeNet5`, :class:`SimpleConvNet`: small networks for 28 x 28 digits.
- :class:`VGG16`: 16 weight layers of 3x3 convolutions and fully connected layers.
- :class:`ResNet`: a CIFAR-sized residual network of :class:`BasicBlock`.

All but AlexNet return logits: ``F.softmax_cross_entropy(model(x), t)``.
"""
from minigrad.models.alex import Alex, AlexBN                  # NOQA
from minigrad.models.lenet import LeNet5                       # NOQA
from minigrad.models.simple_convnet import SimpleConvNet       # NOQA
from minigrad.models.vgg import VGG16                          # NOQA
from minigrad.models.resnet import BasicBlock, ResNet          # NOQA
