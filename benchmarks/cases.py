"""The benchmark cases, written once for each framework on the same shapes.

Each ``setup_<framework>(case)`` returns a function of no arguments that
runs one repetition of the case (forward, backward, update: whatever the
case measures).  The orchestrator in ``run.py`` times those calls.
"""
import numpy

CASES = {
    'alexbn_fwd_bwd': 'AlexBN, batch 8, 227x227: forward + backward',
    'alexbn_train_step': 'AlexBN, batch 8, 227x227: forward + backward + SGD update',
    'max_pool_fwd_bwd': 'max_pooling_2d 3/2 on (8,96,55,55): forward + backward',
    'batchnorm_fwd_bwd': 'batch_normalization on (8,96,55,55): forward + backward',
    'conv1_fwd': 'conv1 (3->96, 11x11, s4) on (8,3,227,227): forward',
    'conv3_fwd': 'conv3 (256->384, 3x3, p1) on (8,256,13,13): forward',
    'conv3_fwd_bwd': 'conv3 (256->384, 3x3, p1) on (8,256,13,13): forward + backward',
    'fc6_fwd_bwd': 'linear fc6 (9216->4096), batch 8: forward + backward',
    'relu_small_x10000': '10,000 x relu forward + backward on a (1, 10) array',
    'lenet_train_step': 'LeNet-sized training step, batch 100, 1x28x28 (images/s derived)',
}

ALEX_BATCH = 8
LENET_BATCH = 100


def _alex_batch(seed=0):
    rng = numpy.random.RandomState(seed)
    return {
        'alex_x': rng.rand(ALEX_BATCH, 3, 227, 227).astype(numpy.float32),
        'alex_t': rng.randint(0, 1000, ALEX_BATCH).astype(numpy.int32),
    }


def _data(seed=0):
    rng = numpy.random.RandomState(seed)
    return {
        'alex_x': rng.rand(ALEX_BATCH, 3, 227, 227).astype(numpy.float32),
        'alex_t': rng.randint(0, 1000, ALEX_BATCH).astype(numpy.int32),
        'pool_x': rng.randn(8, 96, 55, 55).astype(numpy.float32),
        'conv1_W': (rng.randn(96, 3, 11, 11) * 0.05).astype(numpy.float32),
        'conv3_x': rng.randn(8, 256, 13, 13).astype(numpy.float32),
        'conv3_W': (rng.randn(384, 256, 3, 3) * 0.02).astype(numpy.float32),
        'fc6_x': rng.randn(8, 9216).astype(numpy.float32),
        'fc6_W': (rng.randn(4096, 9216) * 0.01).astype(numpy.float32),
        'small_x': rng.randn(1, 10).astype(numpy.float32),
        'lenet_x': rng.rand(LENET_BATCH, 1, 28, 28).astype(numpy.float32),
        'lenet_t': rng.randint(0, 10, LENET_BATCH).astype(numpy.int32),
    }


# ---------------------------------------------------------------------------
# minigrad

def setup_minigrad(case):
    import minigrad
    import minigrad.functions as F
    import minigrad.links as L
    from minigrad import optimizers
    from minigrad.models import AlexBN
    return _setup(case, minigrad, F, L, optimizers, AlexBN)


def _setup(case, chainer, F, L, optimizers, make_alexbn):
    """The step of ``case`` written once against Chainer's API: ``chainer`` and
    its ``F``, ``L``, ``optimizers`` are minigrad's or Chainer's own modules."""
    d = _data()
    V = chainer.Variable

    if case in ('alexbn_fwd_bwd', 'alexbn_train_step'):
        model = make_alexbn()
        opt = optimizers.SGD(lr=0.01)
        opt.setup(model)
        x, t = d['alex_x'], d['alex_t']

        def step():
            model.cleargrads()
            loss = model(x, t)
            loss.backward()
            if case == 'alexbn_train_step':
                opt.update()
        return step

    if case == 'max_pool_fwd_bwd':
        x = V(d['pool_x'])
        gy = None

        def step():
            nonlocal gy
            y = F.max_pooling_2d(x, 3, stride=2)
            if gy is None:
                gy = numpy.ones_like(y.array)
            y.grad = gy
            y.backward()
            x.cleargrad()
        return step

    if case == 'batchnorm_fwd_bwd':
        x = V(d['pool_x'])
        gamma = V(numpy.ones(96, numpy.float32))
        beta = V(numpy.zeros(96, numpy.float32))
        gy = numpy.ones_like(d['pool_x'])

        def step():
            y = F.batch_normalization(x, gamma, beta)
            y.grad = gy
            y.backward()
            for v in (x, gamma, beta):
                v.cleargrad()
        return step

    if case == 'conv1_fwd':
        x, W = d['alex_x'], V(d['conv1_W'])

        def step():
            with chainer.no_backprop_mode():
                F.convolution_2d(x, W, stride=4)
        return step

    if case in ('conv3_fwd', 'conv3_fwd_bwd'):
        x, W = V(d['conv3_x']), V(d['conv3_W'])
        b = V(numpy.zeros(384, numpy.float32))
        gy = numpy.ones((8, 384, 13, 13), numpy.float32)

        def step():
            if case == 'conv3_fwd':
                with chainer.no_backprop_mode():
                    F.convolution_2d(x, W, b, pad=1)
                return
            y = F.convolution_2d(x, W, b, pad=1)
            y.grad = gy
            y.backward()
            for v in (x, W, b):
                v.cleargrad()
        return step

    if case == 'fc6_fwd_bwd':
        x, W = V(d['fc6_x']), V(d['fc6_W'])
        b = V(numpy.zeros(4096, numpy.float32))
        gy = numpy.ones((8, 4096), numpy.float32)

        def step():
            y = F.linear(x, W, b)
            y.grad = gy
            y.backward()
            for v in (x, W, b):
                v.cleargrad()
        return step

    if case == 'relu_small_x10000':
        x = V(d['small_x'])
        gy = numpy.ones_like(d['small_x'])

        def step():
            for _ in range(10000):
                y = F.relu(x)
                y.grad = gy
                y.backward()
                x.cleargrad()
        return step

    if case == 'lenet_train_step':
        class LeNet(chainer.Chain):
            def __init__(self):
                super().__init__()
                with self.init_scope():
                    self.conv1 = L.Convolution2D(1, 6, 5)
                    self.conv2 = L.Convolution2D(6, 16, 5)
                    self.fc3 = L.Linear(256, 120)
                    self.fc4 = L.Linear(120, 84)
                    self.fc5 = L.Linear(84, 10)

            def forward(self, x):
                h = F.max_pooling_2d(F.relu(self.conv1(x)), 2)
                h = F.max_pooling_2d(F.relu(self.conv2(h)), 2)
                h = F.relu(self.fc3(h))
                h = F.relu(self.fc4(h))
                return self.fc5(h)

        model = LeNet()
        opt = optimizers.SGD(lr=0.01)
        opt.setup(model)
        x, t = d['lenet_x'], d['lenet_t']

        def step():
            model.cleargrads()
            loss = F.softmax_cross_entropy(model(x), t)
            loss.backward()
            opt.update()
        return step

    raise KeyError(case)


def matmul_share(step, steps=3):
    """Time ``steps`` calls of ``step`` with every ``numpy.matmul`` timed too.

    The matrix products of minigrad's convolutions and linear layers all go
    through ``numpy.matmul``; for this measurement (never during the timed
    rounds) it is replaced by a wrapper that adds up its wall time.

    Returns:
        dict: ``step_seconds`` and ``matmul_seconds`` (medians over the
        steps), ``share`` (their ratio), ``calls`` (products per step), ``steps``.
    """
    import statistics
    import time
    matmul = numpy.matmul
    spent = [0.0, 0]

    def timed_matmul(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return matmul(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t0
            spent[1] += 1

    step_times, matmul_times, calls = [], [], 0
    numpy.matmul = timed_matmul
    try:
        for _ in range(steps):
            time.sleep(0.3)     # as the timed rounds: let other BLAS threads go idle
            spent[:] = [0.0, 0]
            t0 = time.perf_counter()
            step()
            step_times.append(time.perf_counter() - t0)
            matmul_times.append(spent[0])
            calls = spent[1]
    finally:
        numpy.matmul = matmul
    step_s, matmul_s = statistics.median(step_times), statistics.median(matmul_times)
    return {'step_seconds': step_s, 'matmul_seconds': matmul_s, 'share': matmul_s / step_s,
            'calls': calls, 'steps': steps}


def profile_step(step, steps=3):
    """Time ``steps`` calls of ``step`` under minigrad's ``TimerHook``.

    Returns:
        dict: ``functions``, a list of ``[name, ms per step, calls per step]``
        from the most time down (the gradient nodes show under their own
        names); ``step_ms`` (the mean step) and ``steps``.
    """
    import time
    from minigrad.function_hooks import TimerHook
    hook = TimerHook()
    total = 0.0
    with hook:
        for _ in range(steps):
            time.sleep(0.3)     # as the timed rounds: let other BLAS threads go idle
            t0 = time.perf_counter()
            step()
            total += time.perf_counter() - t0
    rows = [[name, r['elapsed_time'] * 1e3 / steps, r['occurrence'] // steps]
            for name, r in hook.summary().items()]
    rows.sort(key=lambda row: -row[1])
    return {'functions': rows, 'step_ms': total * 1e3 / steps, 'steps': steps}


def peak_memory_minigrad(keep_freed=True):
    """Build AlexBN and run 3 training steps at batch 8 (as the benchmark's worker runs them)."""
    if keep_freed:
        from minigrad.utils.memory import keep_freed_memory
        keep_freed_memory()
    from minigrad import optimizers
    from minigrad.models import AlexBN
    d = _alex_batch()     # only the batch: the other cases' arrays (fc6's 151 MB) are not AlexBN's
    model = AlexBN()
    opt = optimizers.SGD(lr=0.01)
    opt.setup(model)
    for _ in range(3):
        model.cleargrads()
        loss = model(d['alex_x'], d['alex_t'])
        loss.backward()
        opt.update()


# ---------------------------------------------------------------------------
# PyTorch

def _torch_alexbn():
    import torch
    from torch import nn
    import torch.nn.functional as tF

    class AlexBN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 96, 11, stride=4)
            self.bn1 = nn.BatchNorm2d(96, eps=2e-5, momentum=0.1)
            self.conv2 = nn.Conv2d(96, 256, 5, padding=2)
            self.bn2 = nn.BatchNorm2d(256, eps=2e-5, momentum=0.1)
            self.conv3 = nn.Conv2d(256, 384, 3, padding=1)
            self.conv4 = nn.Conv2d(384, 384, 3, padding=1)
            self.conv5 = nn.Conv2d(384, 256, 3, padding=1)
            self.fc6 = nn.Linear(9216, 4096)
            self.fc7 = nn.Linear(4096, 4096)
            self.fc8 = nn.Linear(4096, 1000)

        def forward(self, x, t):
            h = tF.max_pool2d(tF.relu(self.bn1(self.conv1(x))), 3, 2, ceil_mode=True)
            h = tF.max_pool2d(tF.relu(self.bn2(self.conv2(h))), 3, 2, ceil_mode=True)
            h = tF.relu(self.conv3(h))
            h = tF.relu(self.conv4(h))
            h = tF.max_pool2d(tF.relu(self.conv5(h)), 3, 2, ceil_mode=True)
            h = tF.dropout(tF.relu(self.fc6(h.flatten(1))), 0.5, self.training)
            h = tF.dropout(tF.relu(self.fc7(h)), 0.5, self.training)
            return tF.cross_entropy(self.fc8(h), t)

    return AlexBN()


def setup_torch(case):
    import torch
    from torch import nn
    import torch.nn.functional as tF

    d = {k: torch.from_numpy(v) for k, v in _data().items()}

    def leaf(a):
        return a.clone().requires_grad_(True)

    if case in ('alexbn_fwd_bwd', 'alexbn_train_step'):
        model = _torch_alexbn()
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x, t = d['alex_x'], d['alex_t'].long()

        def step():
            opt.zero_grad(set_to_none=True)
            model(x, t).backward()
            if case == 'alexbn_train_step':
                opt.step()
        return step

    if case == 'max_pool_fwd_bwd':
        x = leaf(d['pool_x'])

        def step():
            y = tF.max_pool2d(x, 3, 2, ceil_mode=True)
            y.backward(torch.ones_like(y))
            x.grad = None
        return step

    if case == 'batchnorm_fwd_bwd':
        x = leaf(d['pool_x'])
        gamma, beta = leaf(torch.ones(96)), leaf(torch.zeros(96))
        gy = torch.ones_like(x)

        def step():
            y = tF.batch_norm(x, None, None, gamma, beta, training=True, eps=2e-5)
            y.backward(gy)
            x.grad = gamma.grad = beta.grad = None
        return step

    if case == 'conv1_fwd':
        x, W = d['alex_x'], d['conv1_W']

        def step():
            with torch.no_grad():
                tF.conv2d(x, W, stride=4)
        return step

    if case in ('conv3_fwd', 'conv3_fwd_bwd'):
        x, W, b = leaf(d['conv3_x']), leaf(d['conv3_W']), leaf(torch.zeros(384))
        gy = torch.ones(8, 384, 13, 13)

        def step():
            if case == 'conv3_fwd':
                with torch.no_grad():
                    tF.conv2d(x, W, b, padding=1)
                return
            tF.conv2d(x, W, b, padding=1).backward(gy)
            x.grad = W.grad = b.grad = None
        return step

    if case == 'fc6_fwd_bwd':
        x, W, b = leaf(d['fc6_x']), leaf(d['fc6_W']), leaf(torch.zeros(4096))
        gy = torch.ones(8, 4096)

        def step():
            tF.linear(x, W, b).backward(gy)
            x.grad = W.grad = b.grad = None
        return step

    if case == 'relu_small_x10000':
        x = leaf(d['small_x'])
        gy = torch.ones_like(x)

        def step():
            for _ in range(10000):
                tF.relu(x).backward(gy)
                x.grad = None
        return step

    if case == 'lenet_train_step':
        model = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x, t = d['lenet_x'], d['lenet_t'].long()

        def step():
            opt.zero_grad(set_to_none=True)
            tF.cross_entropy(model(x), t).backward()
            opt.step()
        return step

    raise KeyError(case)


def peak_memory_torch():
    import torch
    d = _alex_batch()
    model = _torch_alexbn()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x, t = torch.from_numpy(d['alex_x']), torch.from_numpy(d['alex_t']).long()
    for _ in range(3):
        opt.zero_grad(set_to_none=True)
        model(x, t).backward()
        opt.step()


# ---------------------------------------------------------------------------
# Chainer (only when ``chainer`` is importable; run.py skips it otherwise)

def _chainer_alexbn():
    import chainer
    import chainer.functions as cF
    import chainer.links as cL

    class AlexBN(chainer.Chain):
        """Chainer's examples/imagenet AlexBN, as minigrad.models.AlexBN."""

        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.conv1 = cL.Convolution2D(None, 96, 11, stride=4)
                self.bn1 = cL.BatchNormalization(96)
                self.conv2 = cL.Convolution2D(None, 256, 5, pad=2)
                self.bn2 = cL.BatchNormalization(256)
                self.conv3 = cL.Convolution2D(None, 384, 3, pad=1)
                self.conv4 = cL.Convolution2D(None, 384, 3, pad=1)
                self.conv5 = cL.Convolution2D(None, 256, 3, pad=1)
                self.fc6 = cL.Linear(None, 4096)
                self.fc7 = cL.Linear(None, 4096)
                self.fc8 = cL.Linear(None, 1000)

        def forward(self, x, t):
            h = cF.max_pooling_2d(cF.relu(self.bn1(self.conv1(x))), 3, stride=2)
            h = cF.max_pooling_2d(cF.relu(self.bn2(self.conv2(h))), 3, stride=2)
            h = cF.relu(self.conv3(h))
            h = cF.relu(self.conv4(h))
            h = cF.max_pooling_2d(cF.relu(self.conv5(h)), 3, stride=2)
            h = cF.dropout(cF.relu(self.fc6(h)))
            h = cF.dropout(cF.relu(self.fc7(h)))
            return cF.softmax_cross_entropy(self.fc8(h), t)

    return AlexBN()


def setup_chainer(case):
    """Chainer's CPU (NumPy) path on the same cases; iDeep stays off."""
    import chainer
    import chainer.functions as cF
    import chainer.links as cL
    from chainer import optimizers as cO

    chainer.global_config.use_ideep = 'never'
    return _setup(case, chainer, cF, cL, cO, _chainer_alexbn)


def peak_memory_chainer():
    from chainer import optimizers as cO
    d = _alex_batch()
    model = _chainer_alexbn()
    opt = cO.SGD(lr=0.01)
    opt.setup(model)
    for _ in range(3):
        model.cleargrads()
        loss = model(d['alex_x'], d['alex_t'])
        loss.backward()
        opt.update()
