"""Benchmark minigrad against PyTorch's CPU build, side by side.

Usage::

    python benchmarks/run.py                    # every case, 7 rounds
    python benchmarks/run.py --rounds 15 --cases conv3_fwd max_pool_fwd_bwd
    python benchmarks/run.py --json result.json

Each framework runs in its own long-lived worker process with 2 threads.
After warm-up, the orchestrator asks the workers in alternating rounds
(minigrad, PyTorch, minigrad, ...) to time one repetition of a case, so
that both see the same machine conditions; before each repetition it rests
``--pause`` seconds, because the BLAS and OpenMP threads of the process that
ran last keep spinning for a while and would steal the cores.  It reports
median, min and max per case and the ratio minigrad / PyTorch of the medians, plus the peak
resident memory of a fresh process that builds AlexBN and runs 3 training
steps at batch 8.  PyTorch is skipped when ``torch`` is not installed
(``pip install torch==2.13.0`` takes the CPU wheel); Chainer joins as a
third column when ``chainer`` is importable, and minigrad with its optional
numba kernels (``config.use_numba = 'always'``) as ``minigrad+numba`` when
``numba`` is, and with oneDNN's convolutions as well (``config.use_ideep =
'always'``) as ``minigrad+numba+ideep`` when oneDNN is installed
(``--no-numba`` and ``--no-ideep`` leave them out).

The minigrad process calls :func:`minigrad.utils.memory.keep_freed_memory`
first, as a training script should (``--no-keep-freed-memory`` measures
without it).  After the rounds of ``alexbn_train_step`` the script reports
the share of minigrad's step spent in matrix products (every
``numpy.matmul`` the step makes, timed through a wrapper in a separate run)
and where the rest goes: the step's time by function, from
:class:`minigrad.function_hooks.TimerHook` in another separate run.
"""
import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cases  # noqa: E402

THREADS = 2
# minigrad with its optional accelerators on: the settings of each column.
ACCELERATED = {'minigrad+numba': {'use_numba': 'always'},
               'minigrad+numba+ideep': {'use_numba': 'always', 'use_ideep': 'always'}}


def _thread_env():
    env = dict(os.environ)
    for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        env[var] = str(THREADS)
    env['PYTHONPATH'] = os.pathsep.join(
        [os.path.dirname(HERE), HERE] + env.get('PYTHONPATH', '').split(os.pathsep))
    return env


# ---------------------------------------------------------------------------
# Worker: reads one command a line, answers one JSON line

def worker(framework):
    if framework == 'torch':
        import torch
        torch.set_num_threads(THREADS)
    if framework.startswith('minigrad') and os.environ.get('MINIGRAD_BENCH_KEEP_FREED', '1') == '1':
        from minigrad.utils.memory import keep_freed_memory
        keep_freed_memory()
    if framework in ACCELERATED:        # the optional accelerators, on for every call
        import minigrad
        for name, value in ACCELERATED[framework].items():
            setattr(minigrad.global_config, name, value)
    setup = getattr(cases, 'setup_' + ('minigrad' if framework in ACCELERATED else framework))
    steps = {}
    for line in sys.stdin:
        cmd = line.split()
        if cmd[0] == 'quit':
            break
        if cmd[0] == 'setup':
            case, warmup = cmd[1], int(cmd[2])
            try:
                steps[case] = setup(case)
                for _ in range(warmup):
                    steps[case]()
                answer = {'ok': True}
            except Exception as e:      # reported, so one broken case does not stop the rest
                answer = {'ok': False, 'error': '{}: {}'.format(type(e).__name__, e)}
        elif cmd[0] == 'time':
            step = steps[cmd[1]]
            t0 = time.perf_counter()
            step()
            answer = {'ok': True, 'seconds': time.perf_counter() - t0}
        elif cmd[0] == 'matmul_share':
            try:
                answer = dict(cases.matmul_share(steps[cmd[1]], int(cmd[2])), ok=True)
            except Exception as e:
                answer = {'ok': False, 'error': '{}: {}'.format(type(e).__name__, e)}
        elif cmd[0] == 'profile':
            try:
                answer = dict(cases.profile_step(steps[cmd[1]], int(cmd[2])), ok=True)
            except Exception as e:
                answer = {'ok': False, 'error': '{}: {}'.format(type(e).__name__, e)}
        elif cmd[0] == 'drop':
            steps.pop(cmd[1], None)
            answer = {'ok': True}
        print(json.dumps(answer), flush=True)


class Worker:
    def __init__(self, framework, keep_freed=True):
        self.framework = framework
        env = _thread_env()
        env['MINIGRAD_BENCH_KEEP_FREED'] = '1' if keep_freed else '0'
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), '--worker', framework],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)

    def ask(self, *words):
        self.proc.stdin.write(' '.join(str(w) for w in words) + '\n')
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError('the {} worker died'.format(self.framework))
        return json.loads(line)

    def close(self):
        try:
            self.ask('quit')
        except Exception:
            pass
        self.proc.wait(timeout=30)


def peak_memory(framework, keep_freed=True):
    """Peak RSS (MiB) of a fresh process building AlexBN and training 3 steps."""
    mg = framework.startswith('minigrad')
    settings = ''.join('minigrad.global_config.{} = {!r}; '.format(name, value)
                       for name, value in ACCELERATED.get(framework, {}).items())
    code = ('import resource, cases; {}cases.peak_memory_{}({}); '
            'print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)').format(
                'import minigrad; ' + settings if settings else '',
                'minigrad' if mg else framework, 'keep_freed={}'.format(keep_freed) if mg else '')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         env=_thread_env(), cwd=HERE)
    if out.returncode != 0:
        return None, out.stderr.strip().splitlines()[-1] if out.stderr else 'failed'
    return int(out.stdout.split()[-1]) / 1024.0, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=7)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--cases', nargs='*', default=list(cases.CASES))
    parser.add_argument('--json', default='benchmark.json')
    parser.add_argument('--pause', type=float, default=0.3,
                        help='seconds of rest before each timed repetition (default 0.3)')
    parser.add_argument('--no-torch', action='store_true')
    parser.add_argument('--no-chainer', action='store_true')
    parser.add_argument('--no-numba', action='store_true',
                        help='leave out the minigrad+numba column (config.use_numba)')
    parser.add_argument('--no-ideep', action='store_true',
                        help='leave out the minigrad+numba+ideep column (config.use_ideep)')
    parser.add_argument('--no-memory', action='store_true')
    parser.add_argument('--no-keep-freed-memory', action='store_true',
                        help='leave glibc malloc at its defaults in the minigrad process')
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker)

    frameworks = ['minigrad']
    if not args.no_torch and importlib.util.find_spec('torch') is not None:
        frameworks.append('torch')
    if not args.no_chainer and importlib.util.find_spec('chainer') is not None:
        frameworks.append('chainer')
    has_numba = importlib.util.find_spec('numba') is not None
    if not args.no_numba and has_numba:
        frameworks.append('minigrad+numba')
    if not args.no_ideep and has_numba and _has_onednn():
        frameworks.append('minigrad+numba+ideep')
    keep_freed = not args.no_keep_freed_memory
    workers = [Worker(f, keep_freed) for f in frameworks]
    # The machine's own BLAS setting, left as it is but shown: it picks the
    # kernels (AVX2 or AVX-512) of every NumPy matrix product.
    coretype = os.environ.get('OPENBLAS_CORETYPE', '(OpenBLAS detects)')
    print('{} cores, {} threads per framework, OPENBLAS_CORETYPE={}, load average {}'.format(
        os.cpu_count(), THREADS, coretype, _load_average()))
    print('minigrad: keep_freed_memory() {}; frameworks: {}'.format(
        'on' if keep_freed else 'off', ', '.join(frameworks)))
    results = {'machine': {'cores': os.cpu_count(), 'threads': THREADS,
                           'python': platform.python_version(),
                           'openblas_coretype': coretype,
                           'load_average_start': _load_average()},
               'keep_freed_memory': keep_freed,
               'cases': {}}
    try:
        for case in args.cases:
            times = {f: [] for f in frameworks}
            errors = {}
            for w in workers:
                answer = w.ask('setup', case, args.warmup)
                if not answer['ok']:
                    errors[w.framework] = answer['error']
            for _ in range(args.rounds):
                for w in workers:
                    if w.framework not in errors:
                        # The other process's BLAS/OpenMP threads busy-wait for a
                        # while after their last job; let them go idle first.
                        time.sleep(args.pause)
                        times[w.framework].append(w.ask('time', case)['seconds'])
            share = profile = None
            profiles = {}
            if case == 'alexbn_train_step' and 'minigrad' not in errors:
                share = workers[0].ask('matmul_share', case, max(3, args.rounds // 2))
                profile = workers[0].ask('profile', case, 3)
            for f in ACCELERATED:
                if case == 'alexbn_train_step' and f in frameworks and f not in errors:
                    profiles[f] = workers[frameworks.index(f)].ask('profile', case, 3)
            for w in workers:
                w.ask('drop', case)
            row = {}
            for f in frameworks:
                if f in errors:
                    row[f] = {'error': errors[f]}
                else:
                    ts = times[f]
                    row[f] = {'median': statistics.median(ts), 'min': min(ts), 'max': max(ts)}
            if all('median' in row.get(f, {}) for f in ('minigrad', 'torch')):
                row['ratio'] = row['minigrad']['median'] / row['torch']['median']
            if all('median' in row.get(f, {}) for f in ('minigrad', 'chainer')):
                row['chainer_ratio'] = row['chainer']['median'] / row['minigrad']['median']
            for f in ACCELERATED:
                if all('median' in row.get(g, {}) for g in (f, 'torch')):
                    row[f]['ratio'] = row[f]['median'] / row['torch']['median']
            if profile is not None:
                if profile['ok']:
                    row['minigrad']['profile'] = profile
                else:
                    print('profile not measured:', profile['error'])
            for f, p in profiles.items():
                if p['ok']:
                    row[f]['profile'] = p
            if share is not None:
                if share['ok']:
                    row['minigrad']['matmul'] = share
                else:
                    print('matrix-product share not measured:', share['error'])
            results['cases'][case] = row
            _print_row(case, row, frameworks)
    finally:
        for w in workers:
            w.close()

    share = results['cases'].get('alexbn_train_step', {}).get('minigrad', {}).get('matmul')
    if share:
        torch_row = results['cases']['alexbn_train_step'].get('torch', {})
        print('AlexBN training step, minigrad: matrix products {:.1f} ms of {:.1f} ms ({:.0%}, '
              '{} numpy.matmul calls; medians of {} timed steps){}'.format(
                  share['matmul_seconds'] * 1e3, share['step_seconds'] * 1e3, share['share'],
                  share['calls'], share['steps'],
                  '; PyTorch\'s whole step: {:.1f} ms'.format(torch_row['median'] * 1e3)
                  if 'median' in torch_row else ''))
    profile = results['cases'].get('alexbn_train_step', {}).get('minigrad', {}).get('profile')
    if profile:
        _print_profile(profile)
    for f in ACCELERATED:
        profile = results['cases'].get('alexbn_train_step', {}).get(f, {}).get('profile')
        if profile:
            _print_profile(profile, who=f)
    results['machine']['load_average_end'] = _load_average()
    print('load average at the end: {}'.format(results['machine']['load_average_end']))
    if 'lenet_train_step' in results['cases']:
        for f, r in results['cases']['lenet_train_step'].items():
            if isinstance(r, dict) and 'median' in r:
                r['images_per_second'] = cases.LENET_BATCH / r['median']
                print('LeNet training throughput at batch {}, {:8s}: {:,.0f} images/s'.format(
                    cases.LENET_BATCH, f, r['images_per_second']))
    if not args.no_memory:
        results['peak_rss_mib'] = {}
        for f in frameworks:
            mib, err = peak_memory(f, keep_freed)
            results['peak_rss_mib'][f] = mib if err is None else {'error': err}
            print('peak RSS, AlexBN build + 3 steps at batch 8, {:8s}: {}'.format(
                f, '{:.0f} MiB'.format(mib) if err is None else err))
    with open(args.json, 'w') as fh:
        json.dump(results, fh, indent=2)
    print('wrote', args.json)


def _print_profile(profile, top=12, who='minigrad'):
    """The functions of minigrad's AlexBN step that take the most time (TimerHook)."""
    rows = profile['functions']
    in_functions = sum(ms for _, ms, _ in rows)
    print('AlexBN training step, {}, by function (TimerHook, mean of {} steps of {:.1f} ms):'
          .format(who, profile['steps'], profile['step_ms']))
    for name, ms, calls in rows[:top]:
        print('  {:28s} {:8.1f} ms  {:3d} calls'.format(name, ms, calls))
    rest = sum(ms for _, ms, _ in rows[top:])
    if rest:
        print('  {:28s} {:8.1f} ms'.format('(other functions)', rest))
    print('  {:28s} {:8.1f} ms'.format('(outside any function)',
                                       profile['step_ms'] - in_functions))


def _has_onednn():
    """Whether minigrad finds oneDNN's library (asked without importing minigrad here)."""
    code = 'from minigrad.backends import intel64; print(intel64.is_ideep_available())'
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         env=_thread_env())
    return out.stdout.strip() == 'True'


def _load_average():
    try:
        return ' '.join('{:.2f}'.format(v) for v in os.getloadavg())
    except OSError:
        return '?'


def _print_row(case, row, frameworks):
    def cell(r):
        if 'error' in r:
            return 'error: ' + r['error'][:40]
        return '{:9.2f} ms [{:.2f}-{:.2f}]'.format(r['median'] * 1e3, r['min'] * 1e3, r['max'] * 1e3)
    others = [f for f in frameworks if f != 'minigrad']
    if not hasattr(_print_row, 'header'):
        _print_row.header = True
        head = '{:20s} {:>32s} {:>32s} {:>7s}'.format('case', 'minigrad median [min-max]',
                                                      'PyTorch median [min-max]', 'ratio')
        if 'chainer' in others:
            head += ' {:>32s} {:>16s}'.format('Chainer median [min-max]', 'Chainer/minigrad')
        for f in ACCELERATED:
            if f in others:
                head += ' {:>38s} {:>8s}'.format(f + ' median [min-max]', '/PyTorch')
        print(head)
    mg = cell(row['minigrad'])
    th = cell(row['torch']) if 'torch' in row else '-'
    ratio = '{:.2f}x'.format(row['ratio']) if 'ratio' in row else '-'
    line = '{:20s} {:>32s} {:>32s} {:>7s}'.format(case, mg, th, ratio)
    if 'chainer' in others:
        ch = cell(row['chainer']) if 'chainer' in row else '-'
        cr = '{:.2f}x'.format(row['chainer_ratio']) if 'chainer_ratio' in row else '-'
        line += ' {:>32s} {:>16s}'.format(ch, cr)
    for f in ACCELERATED:
        if f in others:
            ratio = row.get(f, {}).get('ratio')
            line += ' {:>38s} {:>8s}'.format(cell(row[f]) if f in row else '-',
                                            '{:.2f}x'.format(ratio) if ratio else '-')
    print(line, flush=True)


if __name__ == '__main__':
    main()
