"""examples/alexbn.py runs in a fresh process and writes a graph with one labelled box per layer."""
import math
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, 'examples', 'alexbn.py')
LAYERS = ['/conv1', '/bn1', '/conv2', '/bn2', '/conv3', '/conv4', '/conv5', '/fc6', '/fc7', '/fc8']
SVG = '{http://www.w3.org/2000/svg}'


def test_alexbn_example(tmp_path):
    out = tmp_path / 'graphs'
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    result = subprocess.run([sys.executable, EXAMPLE, '--out', str(out), '--batchsize', '2'],
                            cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    stdout = result.stdout

    # the summary, the training step and the gradient check
    assert 'Total params: 62,379,048' in stdout
    assert re.search(r'^/conv1\s+Convolution2D\s+\(1, 96, 55, 55\)\s+34,944$', stdout, re.M), stdout
    assert re.search(r'^/fc6\s+Linear\s+\(1, 4096\)\s+37,752,832$', stdout, re.M), stdout
    step = re.search(r'one SGD step on 2 random 227x227 images: loss (\S+), accuracy (\S+), '
                     r'largest change of fc8/W (\S+)', stdout)
    assert step, stdout
    loss, change = float(step.group(1).rstrip(',')), float(step.group(3))
    # 1000 classes, small random weights: about log(1000) = 6.9
    assert math.isfinite(loss) and 5 < loss < 9
    assert change > 0
    assert 'backward matches numerical gradients' in stdout

    # the files go to --out, not the working directory
    assert not (tmp_path / 'alexbn.dot').exists()
    dot = (out / 'alexbn.dot').read_text()

    # DOT: one cluster per layer, in order, holding its function and its named parameters
    clusters = re.findall(r'subgraph cluster_\d+ \{\n\s*label="([^"]*)";\n(.*?)\n\s*\}', dot, re.S)
    assert [label for label, _ in clusters] == LAYERS
    body = dict(clusters)
    assert 'Convolution2D 11x11 s4 p0' in body['/conv1']
    assert 'conv1/W: (96, 3, 11, 11), float32' in body['/conv1']
    assert 'conv1/b: (96,), float32' in body['/conv1']
    assert 'bn1/gamma: (96,), float32' in body['/bn1']
    assert 'fc6/W: (4096, 9216), float32' in body['/fc6']
    assert 'MaxPooling2D 3x3 s2' in dot
    # no unlabelled node
    nodes = re.findall(r'^\s*([vf]\d+) \[(.*)\];$', dot, re.M)
    assert len(nodes) > 30
    for name, attrs in nodes:
        assert re.search(r'label="[^"]+"', attrs), name

    svg_path = out / 'alexbn.svg'
    if shutil.which('dot') is None:
        assert 'did not write' in stdout and 'dot' in stdout
        assert not svg_path.exists()
        return
    # SVG: exactly one drawn cluster per layer, labelled with its path
    root = ET.parse(str(svg_path)).getroot()
    drawn = [g for g in root.iter(SVG + 'g') if g.get('class') == 'cluster']
    labels = sorted(''.join(t.itertext()) for g in drawn for t in g.iter(SVG + 'text'))
    assert labels == sorted(LAYERS)
    texts = [''.join(t.itertext()) for t in root.iter(SVG + 'text')]
    assert 'conv1/W: (96, 3, 11, 11), float32' in texts
