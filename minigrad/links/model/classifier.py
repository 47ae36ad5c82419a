"""Classifier: a predictor with a loss and an accuracy, reported for the trainer."""
from minigrad import reporter
from minigrad import type_check
from minigrad.functions.evaluation.accuracy import accuracy
from minigrad.functions.loss.softmax_cross_entropy import softmax_cross_entropy
from minigrad.link import Chain


class Classifier(Chain):
    """Wrap a predictor: ``model(x, t)`` returns the loss and reports loss and accuracy.

    ::

        y = predictor(x)
        loss = lossfun(y, t)             # softmax cross entropy by default
        accuracy = accfun(y, t)          # if compute_accuracy
        report({'loss': loss, 'accuracy': accuracy}, self)

    Inside a Trainer this Classifier is the observer ``'main'``, so the
    values appear as ``main/loss`` and ``main/accuracy`` (and, during an
    Evaluator's run, ``validation/main/loss``...).

    The label is one of the arguments, picked by ``label_key``: an index
    into the positional arguments (default -1: the last one) or the name of
    a keyword argument; every other argument goes to the predictor.

    Args:
        predictor (Link): the model, ``predictor(x) -> (N, n_classes)`` scores.
        lossfun (callable): ``lossfun(y, t) -> loss``.
        accfun (callable): ``accfun(y, t) -> accuracy``.
        label_key (int or str): where the label is among the arguments.

    Attributes:
        compute_accuracy (bool): compute and report the accuracy (True).
        y, loss, accuracy: the results of the last call (Variables); cleared
            at the start of each call.
    """

    compute_accuracy = True

    def __init__(self, predictor, lossfun=softmax_cross_entropy, accfun=accuracy, label_key=-1):
        type_check.require(isinstance(label_key, (int, str)) and not isinstance(label_key, bool),
                           'Classifier', 'label_key to be an int or a str',
                           'label_key == {!r} ({})'.format(label_key, type(label_key).__name__))
        super().__init__()
        self.lossfun = lossfun
        self.accfun = accfun
        self.y = None
        self.loss = None
        self.accuracy = None
        self.label_key = label_key
        with self.init_scope():
            self.predictor = predictor

    def __getstate__(self):
        # The last call's results hold its graph: not part of the model's state.
        state = dict(self.__dict__)
        state.update(y=None, loss=None, accuracy=None)
        return state

    def forward(self, *args, **kwargs):
        """Compute the loss of ``predictor(*args)`` against the label; report loss and accuracy.

        Returns:
            Variable: the loss.
        """
        key = self.label_key
        if isinstance(key, int):
            type_check.require(-len(args) <= key < len(args), 'Classifier',
                               'label_key in [-len(args), len(args))',
                               'label_key == {} with {} positional arguments'.format(key, len(args)))
            # model(x) with the label forgotten would take x for the label and call predictor().
            type_check.require(len(args) > 1 or kwargs, 'Classifier',
                               'the inputs and the label (label_key={})'.format(key),
                               '1 positional argument and no keyword arguments: nothing is left '
                               'for the predictor once the label is taken')
            t = args[key]
            index = key % len(args)
            args = args[:index] + args[index + 1:]
        else:
            type_check.require(key in kwargs, 'Classifier',
                               'the label as keyword argument {!r}'.format(key),
                               'keyword arguments {}'.format(sorted(kwargs)))
            kwargs = dict(kwargs)
            t = kwargs.pop(key)
        # Drop the previous results first, so their graph is freed before a new one is built.
        self.y = None
        self.loss = None
        self.accuracy = None
        self.y = self.predictor(*args, **kwargs)
        self.loss = self.lossfun(self.y, t)
        reporter.report({'loss': self.loss}, self)
        if self.compute_accuracy:
            self.accuracy = self.accfun(self.y, t)
            reporter.report({'accuracy': self.accuracy}, self)
        return self.loss
