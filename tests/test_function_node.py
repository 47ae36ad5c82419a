"""FunctionNode, grad(), double back-propagation and old-style Functions (minigrad/core.py).

Second derivatives are checked against values worked out by hand, or
against finite differences of the first derivative computed in float64.
"""
import numpy as np
import pytest

import minigrad
import minigrad as chainer
import minigrad.functions as F
import minigrad.links as L
from minigrad import optimizers
from minigrad import FunctionNode, Function, Variable, gradient_check  # NOQA
from minigrad.gradient_check import NondifferentiableError


def _rand(*shape, seed=0, dtype=np.float64):
    return np.random.RandomState(seed).uniform(-1, 1, shape).astype(dtype)


# ---------------------------------------------------------------------------
# The issue's snippet and Chainer's "Define your own function" guide


class MulAdd(chainer.FunctionNode):            # new-style, as in Chainer's guide
    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, y, z = inputs
        return x * y + z,

    def backward(self, target_input_indexes, grad_outputs):
        x, y = self.get_retained_inputs()
        gw, = grad_outputs
        return y * gw, x * gw, gw


class MulAddCpu(chainer.FunctionNode):         # the guide's forward_cpu form
    def forward_cpu(self, inputs):
        x, y, z = inputs
        self.retain_inputs((0, 1))
        return x * y + z,

    def backward(self, target_input_indexes, grad_outputs):
        x, y = self.get_retained_inputs()
        gw, = grad_outputs
        return y * gw, x * gw, gw


class OldMulAdd(chainer.Function):             # old-style, as in the guide
    def forward_cpu(self, inputs):
        x, y, z = inputs
        return x * y + z,

    def backward_cpu(self, inputs, grad_outputs):
        x, y, z = inputs
        gw, = grad_outputs
        return y * gw, x * gw, gw


def test_the_issues_snippet():
    x = chainer.Variable(np.random.randn(3, 4))
    y = MulAdd().apply((x, x, x))[0]                   # y = x^2 + x
    gx, = chainer.grad([F.sum(y * y)], [x], enable_double_backprop=True)
    ggx, = chainer.grad([F.sum(gx)], [x])
    # d/dx (x^2 + x)^2 = 2 (x^2 + x)(2x + 1); its derivative 2 (2x + 1)^2 + 4 (x^2 + x)
    a = x.array
    np.testing.assert_allclose(gx.array, 2 * (a * a + a) * (2 * a + 1), rtol=1e-12)
    np.testing.assert_allclose(ggx.array, 2 * (2 * a + 1) ** 2 + 4 * (a * a + a), rtol=1e-12)
    W = np.random.randn(4, 3, 3, 3)
    x4, gy4, ggx4 = np.random.randn(2, 3, 7, 7), np.random.randn(2, 4, 5, 5), np.random.randn(2, 3, 7, 7)
    gradient_check.check_double_backward(lambda a: F.tanh(F.convolution_2d(a, W)), x4, gy4, ggx4,
                                         dtype=np.float64)


@pytest.mark.parametrize('cls', [MulAdd, MulAddCpu])
def test_new_style_muladd_first_and_second_derivatives(cls):
    xs = tuple(_rand(3, 2, seed=s) for s in range(3))
    gy = _rand(3, 2, seed=3)
    gradient_check.check_backward(lambda *v: cls().apply(v)[0], xs, gy, dtype=np.float64)
    gradient_check.check_double_backward(lambda *v: cls().apply(v)[0], xs, gy,
                                         tuple(_rand(3, 2, seed=s) for s in (4, 5, 6)),
                                         dtype=np.float64)


def test_old_style_muladd_runs_as_in_the_guide():
    x, y, z = (Variable(_rand(3, 2, seed=s, dtype=np.float32)) for s in range(3))
    w = OldMulAdd()(x, y, z)
    w.grad = _rand(3, 2, seed=3, dtype=np.float32)
    w.backward()
    np.testing.assert_array_equal(x.grad, y.array * w.grad)
    np.testing.assert_array_equal(y.grad, x.array * w.grad)
    np.testing.assert_array_equal(z.grad, w.grad)
    assert x.grad.dtype == np.float32
    assert isinstance(w.creator, OldMulAdd)            # as Chainer: the Function, not its adapter
    gradient_check.check_backward(OldMulAdd(), tuple(_rand(3, 2, seed=s) for s in range(3)),
                                  _rand(3, 2, seed=3), dtype=np.float64)


def test_old_style_cannot_be_differentiated_twice_and_says_so():
    x = Variable(_rand(3, 2))
    w = OldMulAdd()(x, x, x)
    gx, = minigrad.grad([F.sum(w)], [x], enable_double_backprop=True)   # first order is fine
    np.testing.assert_allclose(gx.array, 2 * x.array + 1, rtol=1e-12)
    with pytest.raises(RuntimeError, match=r'OldMulAdd is an old-style Function .* cannot be '
                                           r'differentiated again; write it as a FunctionNode'):
        minigrad.grad([F.sum(gx * gx)], [x])


def test_one_old_style_instance_called_twice_in_a_graph():
    class Scale(Function):           # keeps state on self in forward, as tutorials do
        def forward(self, inputs):
            self.x = inputs[0]
            return inputs[0] * 3,

        def backward(self, inputs, grad_outputs):
            return grad_outputs[0] * 3 + 0 * self.x,

    f = Scale()
    a = Variable(np.array([1.0, 2.0]))
    b = Variable(np.array([5.0, 7.0]))
    y = F.sum(f(a) * f(b))            # 9 a b: dy/da = 9 b, dy/db = 9 a
    y.backward()
    np.testing.assert_array_equal(a.grad, [45.0, 63.0])
    np.testing.assert_array_equal(b.grad, [9.0, 18.0])


def test_a_function_node_instance_is_applied_once():
    node = MulAdd()
    x = Variable(_rand(2))
    node.apply((x, x, x))
    with pytest.raises(RuntimeError, match=r'MulAdd: this FunctionNode instance was applied already'):
        node.apply((x, x, x))


# ---------------------------------------------------------------------------
# Second derivatives by hand


def test_second_derivative_of_sum_of_cubes():
    x = Variable(np.array([-1.5, 0.0, 2.0]))
    gx, = minigrad.grad([F.sum(x ** 3)], [x], enable_double_backprop=True)
    np.testing.assert_allclose(gx.array, 3 * x.array ** 2)
    ggx, = minigrad.grad([F.sum(gx)], [x])
    np.testing.assert_allclose(ggx.array, 6 * x.array)       # d²/dx² sum(x³) = 6x


def test_backward_with_double_backprop_leaves_a_differentiable_grad_var():
    x = Variable(np.array([0.5, 2.0]))
    y = F.sum(F.exp(x) * x)            # dy/dx = e^x (1 + x), d²y/dx² = e^x (2 + x)
    y.backward(enable_double_backprop=True)
    gx = x.grad_var
    assert gx.creator is not None
    np.testing.assert_allclose(gx.array, np.exp(x.array) * (1 + x.array))
    x.cleargrad()
    F.sum(gx).backward()
    np.testing.assert_allclose(x.grad, np.exp(x.array) * (2 + x.array))


def test_hessian_vector_product_of_a_small_mlp():
    rng = np.random.RandomState(0)
    W1, b1 = rng.randn(5, 4), rng.randn(5)
    W2, b2 = rng.randn(3, 5), rng.randn(3)
    x_data = rng.randn(2, 4)
    v = rng.randn(2, 4)

    def loss(x):
        h = F.tanh(F.linear(x, W1, b1))
        return F.sum(F.sigmoid(F.linear(h, W2, b2)) ** 2)

    def gradient(x_array):
        x = Variable(x_array)
        gx, = minigrad.grad([loss(x)], [x])
        return gx.array

    x = Variable(x_data)
    gx, = minigrad.grad([loss(x)], [x], enable_double_backprop=True)
    hv, = minigrad.grad([F.sum(gx * v)], [x])             # H v
    eps = 1e-5
    expected = (gradient(x_data + eps * v) - gradient(x_data - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hv.array, expected, rtol=1e-6, atol=1e-8)


def test_float32_stays_float32_in_first_and_second_derivatives():
    x = Variable(np.array([0.5, -1.0], dtype=np.float32))
    gx, = minigrad.grad([F.sum(F.tanh(x) * x ** 2)], [x], enable_double_backprop=True)
    ggx, = minigrad.grad([F.sum(gx)], [x])
    assert gx.dtype == np.float32 and ggx.dtype == np.float32


# ---------------------------------------------------------------------------
# grad() and backward() options


def test_grad_touches_no_grad_unless_asked():
    x = Variable(np.array([1.0, 2.0]))
    w = Variable(np.array([3.0, 4.0]))
    y = F.sum(x * w)
    gx, = minigrad.grad([y], [x])
    np.testing.assert_array_equal(gx.array, [3.0, 4.0])
    assert x.grad is None and w.grad is None and y.grad is None
    gx, gw = minigrad.grad([y], [x, w], set_grad=True)
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])
    np.testing.assert_array_equal(w.grad, [1.0, 2.0])


def test_grad_records_no_graph_without_double_backprop():
    x = Variable(np.array([1.0, 2.0]))
    gx, = minigrad.grad([F.sum(x ** 3)], [x])
    assert gx.creator is None
    gx, = minigrad.grad([F.sum(x ** 3)], [x], enable_double_backprop=True)
    assert gx.creator is not None


def test_grad_options():
    x = Variable(np.array([1.0, 2.0]))
    unrelated = Variable(np.array([5.0]))
    y = x * 2
    h = y * y                        # h = 4 x^2
    gx, gu = minigrad.grad([h], [x, unrelated], grad_outputs=[np.array([1.0, 10.0])])
    np.testing.assert_array_equal(gx.array, [8.0, 160.0])
    assert gu is None                # nothing depends on it
    gx, = minigrad.grad([F.sum(h)], [x], grad_inputs=[np.array([100.0, 100.0])])
    np.testing.assert_array_equal(gx.array, [108.0, 116.0])
    gx, = minigrad.grad([F.sum(h)], [x], loss_scale=2.0)
    np.testing.assert_array_equal(gx.array, [16.0, 32.0])
    gy, = minigrad.grad([F.sum(h)], [y])        # an intermediate input: dh/dy = 2y
    np.testing.assert_array_equal(gy.array, [4.0, 8.0])
    minigrad.grad([F.sum(h)], [x], retain_grad=True)
    np.testing.assert_array_equal(y.grad, [4.0, 8.0])
    with pytest.raises(ValueError, match=r'grad: expect grad_outputs for an output of shape \(2,\)'):
        minigrad.grad([h], [x])
    with pytest.raises(TypeError, match=r'grad: expect inputs\[0\] to be a Variable, actual ndarray'):
        minigrad.grad([F.sum(h)], [x.array])


def test_backward_loss_scale_scales_the_gradients():
    x = Variable(np.array([1.0, 2.0]))
    F.sum(x * 3).backward(loss_scale=128)
    np.testing.assert_array_equal(x.grad, [384.0, 384.0])


def test_retained_output_comes_back_after_its_variable_is_gone():
    x = Variable(np.array([0.5, 1.0]))
    h = F.exp(x)
    y = F.sum(h * 1.0)
    del h                            # Exp's output node lives on in Mul's inputs
    gx, = minigrad.grad([y], [x], enable_double_backprop=True)
    ggx, = minigrad.grad([F.sum(gx)], [x])
    np.testing.assert_allclose(ggx.array, np.exp(x.array))


# ---------------------------------------------------------------------------
# check_double_backward and detect_nondifferentiable


def test_check_double_backward_catches_a_wrong_second_derivative():
    class WrongSquare(FunctionNode):          # first derivative right, second wrong
        def forward(self, inputs):
            self.retain_inputs((0,))
            return inputs[0] ** 2,

        def backward(self, indexes, grad_outputs):
            x, = self.get_retained_inputs()
            return grad_outputs[0] * (2 * x.array),     # x as a constant: d/dx is lost

    x = np.array([0.5, -1.0, 2.0])
    gradient_check.check_backward(lambda v: WrongSquare().apply((v,))[0], x, _rand(3, seed=1))
    with pytest.raises(AssertionError, match=r'gradient of input 0 differs'):
        gradient_check.check_double_backward(lambda v: WrongSquare().apply((v,))[0], x,
                                             _rand(3, seed=1), _rand(3, seed=2))


def test_check_double_backward_with_params():
    W = chainer.Parameter(_rand(3, 4, seed=5), name='W')
    gradient_check.check_double_backward(
        lambda x: F.sum(F.tanh(F.linear(x, W)) ** 2, axis=1), _rand(2, 4), _rand(2, seed=1),
        _rand(2, 4, seed=2), params=(W,), params_grad_grad=(_rand(3, 4, seed=3),))


def test_check_double_backward_of_a_link():
    link = L.Linear(4, 3)
    link.W.array = _rand(3, 4, seed=5, dtype=np.float32)
    gradient_check.check_double_backward(
        lambda x: F.tanh(link(x)), _rand(2, 4), _rand(2, 3, seed=1), _rand(2, 4, seed=2),
        params=(link.W, link.b), params_grad_grad=(_rand(3, 4, seed=3), _rand(3, seed=4)),
        dtype=np.float64)


def test_detect_nondifferentiable():
    with pytest.raises(NondifferentiableError, match=r'not differentiable at input 0 index \(1,\)'):
        gradient_check.check_backward(F.absolute, np.array([0.5, 0.0, -2.0]), _rand(3, seed=1),
                                      detect_nondifferentiable=True)
    gradient_check.check_backward(F.absolute, np.array([0.5, 0.3, -2.0]), _rand(3, seed=1),
                                  detect_nondifferentiable=True)


# ---------------------------------------------------------------------------
# Training with second derivatives: a gradient penalty, and a GAN's two updates


class SmallConvNet(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.conv = L.Convolution2D(1, 4, 3, pad=1)
            self.fc = L.Linear(4 * 4 * 4, 2)

    def forward(self, x):
        h = F.max_pooling_2d(F.relu(self.conv(x)), 2)
        return self.fc(F.tanh(h))


def test_gradient_penalty_trains_and_its_loss_goes_down():
    # WGAN-GP's penalty: (|d f(x) / dx| - 1)^2 on top of a classification loss.
    rng = np.random.RandomState(0)
    x_data = rng.randn(16, 1, 8, 8).astype(np.float32)
    t = (x_data.mean(axis=(1, 2, 3)) > 0).astype(np.int32)
    model = SmallConvNet()
    opt = optimizers.Adam(alpha=0.01)
    opt.setup(model)
    losses = []
    for _ in range(30):
        x = Variable(x_data)
        y = model(x)
        gx, = minigrad.grad([F.sum(y[:, 1])], [x], enable_double_backprop=True)
        norm = (F.sum(gx * gx, axis=(1, 2, 3)) + 1e-12) ** 0.5
        penalty = F.mean((norm - 1) ** 2)
        loss = F.softmax_cross_entropy(y, t) + penalty
        model.cleargrads()
        loss.backward()
        assert model.conv.W.grad is not None and np.abs(model.conv.W.grad).sum() > 0
        opt.update()
        losses.append(float(loss.array))
    assert losses[-1] < 0.5 * losses[0]


def test_two_updates_through_a_shared_fake_batch():
    # Chainer's DCGAN updater: the discriminator's loss and the generator's
    # loss both back-propagate through the same y_fake.
    rng = np.random.RandomState(1)
    gen = L.Linear(3, 4)
    dis = L.Linear(4, 1)
    opt_gen = optimizers.SGD(lr=0.1)
    opt_gen.setup(gen)
    opt_dis = optimizers.SGD(lr=0.1)
    opt_dis.setup(dis)
    z = rng.randn(5, 3).astype(np.float32)
    real = rng.randn(5, 4).astype(np.float32)

    def loss_dis(dis, y_fake, y_real):        # least-squares GAN losses
        return F.mean(y_fake ** 2) + F.mean((y_real - 1) ** 2)

    def loss_gen(gen, y_fake):
        return F.mean((y_fake - 1) ** 2)

    W_g, b_g, W_d = (p.array.astype(np.float64) for p in (gen.W, gen.b, dis.W))
    y_fake = dis(gen(z))
    y_real = dis(real)
    s_fake = y_fake.array.astype(np.float64)
    opt_dis.update(loss_dis, dis, y_fake, y_real)
    assert not np.allclose(dis.W.array, W_d)
    opt_gen.update(loss_gen, gen, y_fake)
    # The generator's gradient flows back through y_fake's graph, which
    # retained the discriminator's W: as in Chainer, the same array, already
    # updated in place by the discriminator's step.
    W_d_now = dis.W.array.astype(np.float64)
    g_fake = (2 * (s_fake - 1) / 5) @ W_d_now
    np.testing.assert_allclose(gen.W.array, W_g - 0.1 * g_fake.T @ z, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gen.b.array, b_g - 0.1 * g_fake.sum(axis=0), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------
# Function hooks


def test_a_function_hook_sees_every_node_applied_inside_its_block():
    seen = []

    class Recorder(minigrad.FunctionHook):
        def forward_preprocess(self, function, in_data):
            seen.append(('pre', function.label, function.inputs is None))

        def forward_postprocess(self, function, in_data):
            seen.append(('post', function.label, [a.shape for a in in_data]))

    x = Variable(np.ones((2, 3)))
    with Recorder() as hook:
        assert minigrad.core.get_function_hooks() == (hook,)
        F.sum(x * 2)
    F.sum(x)                                   # outside: not seen
    assert minigrad.core.get_function_hooks() == ()
    assert seen == [('pre', 'Mul', True), ('post', 'Mul', [(2, 3), ()]),
                    ('pre', 'Sum', True), ('post', 'Sum', [(2, 3)])]
