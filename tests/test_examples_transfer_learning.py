"""examples/transfer_learning.py runs (in a fresh process, few epochs) and does what it says."""
import os
import re
import subprocess
import sys

import numpy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, 'examples', 'transfer_learning.py')
ROW = re.compile(r'^\s*(\d+)\s+(\S+)\s+(\S+)\s*$')


def run_example(cwd, *args):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    result = subprocess.run([sys.executable, EXAMPLE, '--pretrain-epoch', '2', '--epoch', '3'] + list(args),
                            cwd=str(cwd), env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def table(stdout, epochs):
    """The rows ``(epoch, fine-tuned, scratch)`` under the header line, checked for form."""
    lines = stdout.splitlines()
    header = [i for i, line in enumerate(lines) if line.split() == ['epoch', 'fine-tuned', 'from', 'scratch']]
    assert len(header) == 1, stdout
    body = lines[header[0] + 1:]
    n = next((i for i, line in enumerate(body) if not ROW.match(line)), len(body))
    rows = [ROW.match(line).groups() for line in body[:n]]
    assert [int(r[0]) for r in rows] == list(range(1, epochs + 1)), stdout
    rows = [(int(e), float(a), float(b)) for e, a, b in rows]
    for _, finetuned, scratch in rows:
        assert 0.0 <= finetuned <= 1.0 and 0.0 <= scratch <= 1.0
    return rows


def test_frozen_blocks_stay_pretrained_and_the_head_trains(tmp_path):
    out = tmp_path / 'result'
    stdout = run_example(tmp_path, '--out', str(out))
    table(stdout, 3)
    assert re.search(r'pretrained on the digits 0-4 .*test accuracy (\S+)', stdout), stdout
    assert 'fine-tuning fc' in stdout
    with numpy.load(str(out / 'pretrained.npz')) as pre, numpy.load(str(out / 'finetuned.npz')) as fine:
        blocks = [k for k in pre.files if k.startswith('predictor/block')]
        assert blocks and all(k in fine.files for k in blocks)
        for key in blocks:          # parameters and BN statistics: frozen, and run in test mode
            numpy.testing.assert_array_equal(fine[key], pre[key], err_msg=key)
        assert fine['predictor/fc/W'].shape == pre['predictor/fc/W'].shape == (5, 128)
        assert not numpy.array_equal(fine['predictor/fc/W'], pre['predictor/fc/W'])


def test_unfreeze_the_upper_block_and_keep_no_files(tmp_path):
    stdout = run_example(tmp_path, '--unfreeze', '1', '--per-class', '5')
    table(stdout, 3)
    assert 'fine-tuning block2, fc' in stdout
    assert '25 training examples (5 per digit)' in stdout
    assert os.listdir(str(tmp_path)) == []          # without --out nothing is written


def test_readme_command_runs_as_written():
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as f:
        section = f.read().split('## Transfer learning', 1)
    assert len(section) == 2, 'README.md has no "## Transfer learning" section'
    found = re.search(r'```\n(.*?)\n```', section[1], re.DOTALL)
    assert found and found.group(1).strip() == 'python examples/transfer_learning.py'
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    argv = found.group(1).split()
    assert argv[0] == 'python'
    result = subprocess.run([sys.executable] + argv[1:], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    table(result.stdout, 20)                        # the default: 20 epochs
