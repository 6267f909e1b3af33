"""The reusable output buffer of large transforms (boolfourier.transform._buffers)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import naive
from boolfourier import fwht
from boolfourier.transform import _buffers

SHAPE = (4, 1 << 12)


@pytest.fixture(autouse=True)
def _fresh_pool(monkeypatch):
    monkeypatch.delenv("BOOLFOURIER_FWHT_REUSE", raising=False)
    _buffers.release()
    yield
    _buffers.release()


def test_layout():
    a = _buffers.empty(SHAPE, np.float32)
    assert a.shape == SHAPE and a.dtype == np.float32 and a.flags.c_contiguous
    assert a.flags.writeable and a.ctypes.data % 64 == 0


def test_memory_is_reused_once_dropped():
    a = _buffers.empty(SHAPE, np.float64)
    addr = a.ctypes.data
    del a
    assert _buffers.empty(SHAPE, np.float64).ctypes.data == addr


@pytest.mark.parametrize("keep", [
    lambda a: a[1:3],  # a view
    lambda a: a.reshape(-1)[::7],  # a view of a view
    lambda a: memoryview(a),  # an exported buffer
    lambda a: a.view(np.int64),
])
def test_memory_is_not_reused_while_anything_refers_to_it(keep):
    a = _buffers.empty(SHAPE, np.float64)
    a[...] = 1.5
    held = keep(a)
    addr = a.ctypes.data
    del a
    b = _buffers.empty(SHAPE, np.float64)
    assert b.ctypes.data != addr
    b[...] = -7.0
    assert np.all(np.asarray(held).view(np.float64) == 1.5)  # untouched by the new owner


def test_size_policy():
    big = _buffers.empty((1 << 16,), np.float64)
    addr = big.ctypes.data
    del big
    small = _buffers.empty((1 << 10,), np.float64)  # far smaller: not served from the big one
    assert small.ctypes.data != addr


def test_threads_get_distinct_buffers():
    got = []
    barrier = threading.Barrier(4)

    def grab():
        barrier.wait()
        got.append(_buffers.empty(SHAPE, np.float64))

    threads = [threading.Thread(target=grab) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({a.ctypes.data for a in got}) == 4


def test_reuse_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("BOOLFOURIER_FWHT_REUSE", "0")
    a = _buffers.empty(SHAPE, np.float64)
    assert _buffers._mem is None  # nothing retained
    assert _buffers.empty(SHAPE, np.float64).ctypes.data != a.ctypes.data


def test_fwht_results_survive_later_calls(monkeypatch):
    # every large output comes from the pool: earlier results must never be overwritten
    monkeypatch.setattr(_buffers, "MIN_BYTES", 0)
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((3, 1 << 9)) for _ in range(4)]
    ys = [fwht(x) for x in xs]
    kept = ys[1][0, :5].copy(), ys[1][0, :5]  # a view outlives its parent
    del ys[1]
    later = fwht(xs[0] * 3)
    np.testing.assert_array_equal(kept[1], kept[0])
    for i in (0, 2, 3):
        np.testing.assert_allclose(ys[i - (i > 1)], naive.wht(xs[i]), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(later, 3 * naive.wht(xs[0]), rtol=1e-12, atol=1e-9)


_FORK_SCRIPT = """
import os
import numpy as np
from boolfourier.transform import _buffers

N = _buffers.MIN_BYTES // 8
y = _buffers.empty((N,), np.float64)
y[:] = 1.0
addr = y.ctypes.data
pid = os.fork()
if pid == 0:  # a child writing its inherited copy of a result
    y[:] = 0.0
    os._exit(0)
os.waitpid(pid, 0)
print("parent's result kept:", bool((y == 1.0).all()))

del y  # the retained buffer is free now, in the parent and in any child forked from here
r1, w1 = os.pipe()
r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:  # the child takes the free buffer for its own result ...
    mine = _buffers.empty((N,), np.float64)
    mine[:] = 3.0
    os.write(w1, b"x")
    os.read(r2, 1)  # ... and holds it while the parent takes the same buffer
    os._exit(2 if mine.ctypes.data != addr else 0 if (mine == 3.0).all() else 1)
os.read(r1, 1)
ours = _buffers.empty((N,), np.float64)
ours[:] = 5.0
os.write(w2, b"x")
_, status = os.waitpid(pid, 0)
print("child's result kept:", os.waitstatus_to_exitcode(status))
print("parent's reused:", ours.ctypes.data == addr, bool((ours == 5.0).all()))
"""


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_forked_processes_do_not_share_result_memory():
    # the mapping must be private (copy-on-write across fork, like numpy memory): with
    # a shared one a child's writes, or its reuse of the retained buffer, changed the
    # parent's arrays and the other way round
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", _FORK_SCRIPT], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines() == [
        "parent's result kept: True",
        "child's result kept: 0",
        "parent's reused: True True",
    ]
