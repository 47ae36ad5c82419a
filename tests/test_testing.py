"""minigrad.testing: assert_allclose, product, parameterize."""
import sys
import unittest

import numpy
import pytest

from minigrad import Variable, testing


def test_assert_allclose_passes_and_names_the_worst_element():
    testing.assert_allclose(Variable(numpy.array([1.0, 2.0])), numpy.array([1.0, 2.000001]))
    with pytest.raises(AssertionError, match=r'worst at index \(1, 0\): x = 5.0, y = 3.0'):
        testing.assert_allclose(numpy.array([[1.0, 2.0], [5.0, 4.0]]),
                                numpy.array([[1.0, 2.0], [3.0, 4.0]]))


def test_product_of_a_dict_and_of_lists_of_dicts():
    assert testing.product({'b': [3], 'a': [1, 2]}) == [{'a': 1, 'b': 3}, {'a': 2, 'b': 3}]
    assert testing.product([[{'x': 1}, {'x': 2}], [{'y': 0}]]) == [{'x': 1, 'y': 0}, {'x': 2, 'y': 0}]
    assert testing.product_dict([{'x': 1}], [{'y': 5}, {'y': 6}]) == [{'x': 1, 'y': 5}, {'x': 1, 'y': 6}]


@testing.parameterize(*testing.product({'scale': [1, 2], 'shape': [(2,), (3, 1)]}))
class TestParameterized(unittest.TestCase):
    def test_attributes_are_set(self):
        x = numpy.ones(self.shape) * self.scale
        assert x.sum() == self.scale * numpy.prod(self.shape)


def test_parameterize_made_one_class_per_combination():
    module = sys.modules[__name__]
    made = sorted(n for n in vars(module) if n.startswith('TestParameterized_param_'))
    assert len(made) == 4
    assert TestParameterized is None
    assert {(getattr(module, n).scale, getattr(module, n).shape) for n in made} == {
        (1, (2,)), (1, (3, 1)), (2, (2,)), (2, (3, 1))}
