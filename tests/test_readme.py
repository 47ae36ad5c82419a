"""The README's quick start runs as written (in a fresh process, in a temp dir)."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _quick_start():
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as f:
        readme = f.read()
    section = readme.split('## Quick start', 1)[1]
    found = re.search(r'```python\n(.*?)```', section, re.DOTALL)
    assert found, 'README.md has no ```python block under "## Quick start"'
    return found.group(1)


def test_quick_start_runs(tmp_path):
    script = tmp_path / 'quick_start.py'
    script.write_text(_quick_start(), encoding='utf-8')
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    result = subprocess.run([sys.executable, str(script)], cwd=str(tmp_path), env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    dot = tmp_path / 'graph.dot'
    svg = tmp_path / 'graph.svg'
    assert dot.exists() and 'digraph' in dot.read_text(encoding='utf-8')
    assert svg.exists()
    assert '<svg' in svg.read_text(encoding='utf-8')
