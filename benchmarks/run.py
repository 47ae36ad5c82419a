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
(``pip install torch==2.13.0`` takes the CPU wheel).
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
    setup = getattr(cases, 'setup_' + framework)
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
        elif cmd[0] == 'drop':
            steps.pop(cmd[1], None)
            answer = {'ok': True}
        print(json.dumps(answer), flush=True)


class Worker:
    def __init__(self, framework):
        self.framework = framework
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), '--worker', framework],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_thread_env())

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


def peak_memory(framework):
    """Peak RSS (MiB) of a fresh process building AlexBN and training 3 steps."""
    code = ('import resource, cases; cases.peak_memory_{}(); '
            'print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)').format(framework)
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
    parser.add_argument('--no-memory', action='store_true')
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker)

    frameworks = ['minigrad']
    if not args.no_torch and importlib.util.find_spec('torch') is not None:
        frameworks.append('torch')
    workers = [Worker(f) for f in frameworks]
    # The machine's own BLAS setting, left as it is but shown: it picks the
    # kernels (AVX2 or AVX-512) of every NumPy matrix product.
    coretype = os.environ.get('OPENBLAS_CORETYPE', '(OpenBLAS detects)')
    print('{} cores, {} threads per framework, OPENBLAS_CORETYPE={}'.format(
        os.cpu_count(), THREADS, coretype))
    results = {'machine': {'cores': os.cpu_count(), 'threads': THREADS,
                           'python': platform.python_version(),
                           'openblas_coretype': coretype},
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
            results['cases'][case] = row
            _print_row(case, row)
    finally:
        for w in workers:
            w.close()

    if 'lenet_train_step' in results['cases']:
        for f, r in results['cases']['lenet_train_step'].items():
            if isinstance(r, dict) and 'median' in r:
                r['images_per_second'] = cases.LENET_BATCH / r['median']
                print('LeNet training throughput at batch {}, {:8s}: {:,.0f} images/s'.format(
                    cases.LENET_BATCH, f, r['images_per_second']))
    if not args.no_memory:
        results['peak_rss_mib'] = {}
        for f in frameworks:
            mib, err = peak_memory(f)
            results['peak_rss_mib'][f] = mib if err is None else {'error': err}
            print('peak RSS, AlexBN build + 3 steps at batch 8, {:8s}: {}'.format(
                f, '{:.0f} MiB'.format(mib) if err is None else err))
    with open(args.json, 'w') as fh:
        json.dump(results, fh, indent=2)
    print('wrote', args.json)


def _print_row(case, row):
    def cell(r):
        if 'error' in r:
            return 'error: ' + r['error'][:40]
        return '{:9.2f} ms [{:.2f}-{:.2f}]'.format(r['median'] * 1e3, r['min'] * 1e3, r['max'] * 1e3)
    if not hasattr(_print_row, 'header'):
        _print_row.header = True
        print('{:20s} {:>32s} {:>32s} {:>7s}'.format('case', 'minigrad median [min-max]',
                                                       'PyTorch median [min-max]', 'ratio'))
    mg = cell(row['minigrad'])
    th = cell(row['torch']) if 'torch' in row else '-'
    ratio = '{:.2f}x'.format(row['ratio']) if 'ratio' in row else '-'
    print('{:20s} {:>32s} {:>32s} {:>7s}'.format(case, mg, th, ratio), flush=True)


if __name__ == '__main__':
    main()
