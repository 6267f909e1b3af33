"""Fast Walsh–Hadamard kernels (numba + explicit LLVM vector IR).

Contract, shared with :mod:`._reference`: ``fwht_inplace(a, scale)`` takes a
C-contiguous 2-D array ``(rows, N)``, ``N = 2**n >= 1``, of dtype float32,
float64, int32 or int64, and overwrites every row with ``scale * (H @ row)``
(``scale == 1`` for integers).  Float64 output is bit-identical to the
reference radix-2 kernel: every butterfly is the reference's ``u + v`` /
``u - v`` on the same operands, and each element's levels run in ascending
order (``h = 1, 2, 4, ...``); only the order *between* independent
butterflies differs.

Why intrinsics: written as plain numba loops, the strided radix-4/8
butterflies do not vectorise (LLVM gives up on the alias checks between the
strided streams).  So the hot loops are :func:`numba.extending.intrinsic`
functions that emit generic LLVM vector IR (``<W x double>`` loads, adds,
subs, ``shufflevector``), which LLVM lowers on any CPU (AVX-512, AVX2, SSE,
NEON).  ``W`` is one native vector register (32 bytes unless the host has
AVX-512), so a radix-8 butterfly holds its 8 inputs in 8 of the 16 AVX2
registers.  Integers use the same kernels (wrapping vector add/sub).

Kernels (``x`` is a flat array; offsets and strides count elements):

* ``_low(x, off, size, scale)``: chunks of 8 consecutive vectors (8·W
  elements) transformed in registers: ``log2 W`` in-register levels (lane
  shuffle ``i -> i ^ d``, then ``fma(x, ±1, t)``, exact because the product
  is exact), then 3 levels across the 8 registers.
* ``_cR(src, soff, sstride, dst, doff, dstride, ncols, ngroups, sgroup,
  dgroup, scale)``, R = 2, 4, 8: radix-R butterflies between R rows
  ``sstride`` apart, W columns at a time over ``ncols`` contiguous columns,
  for ``ngroups`` groups of rows; results go to the same pattern in ``dst``.
  In place (src is dst), gather (array -> buffer), buffer -> buffer and
  scatter (buffer -> array) are the same kernel.  ``_cRs`` / ``_lows``
  multiply by ``scale`` before storing: the final scaling, fused into the
  last pass.  ``_cRp(..., scale, pf, pcur, pend)`` also prefetch one cache
  line of ``pf`` per W columns (``llvm.prefetch``), for pass 1 in
  super-blocks.

Drivers (plain numba loops over the kernels):

* ``_block`` (in cache, serial): L1-sized sub-blocks of ``2**l1bits`` get a
  ``_low`` sweep and radix-<=8 sweeps, then radix-<=8 sweeps over the whole
  block.  Rows up to ``SERIAL_MAX_BYTES`` take this path, one after the
  other, or spread over threads when there are many (``_rows_work``).
* larger rows, Kronecker split ``H_N = (H_A ⊗ I_B)(I_A ⊗ H_B)``:
  pass 1 (``_pass1_work``) runs ``_block`` on every contiguous block of
  ``B = 2**b``; a column pass (``_cols_work``) views each block of ``2**m``
  as ``2**(m-b)`` rows of ``2**b`` and, one tile (``tw`` columns) at a time,
  gathers into a small buffer fused with the first radix stage, runs the
  middle stages there and scatters back fused with the last one.  When
  ``m - b`` would exceed ``MAX_ROW_BITS`` (tile rows too short to stream),
  the column levels are split over two column passes.  Rows of
  ``SUPER_MIN_BYTES`` or more first run pass 1 and the column levels up to ``2**s``
  inside super-blocks of ``2**s`` (``_super_work``: one thread per
  super-block, while it is still in the L3 cache); only the levels between
  super-blocks are left to the column passes over the whole row, which read
  it back from memory.  There, pass 1's in-cache sweeps prefetch the input
  a little ahead of its reads (``PREFETCH_BYTES``), so that the memory
  works while they compute.
* threads: each pass hands out its work items (rows, blocks, tiles)
  through an atomic counter, so a thread the OS delays holds back one item,
  not a fixed half; ``nthreads`` comes from ``numba.get_num_threads()``.
  All passes of a long row run in one parallel region, a pass starting once
  the previous one's finished-item count is complete (``_multipass_work``):
  waking sleeping threads for a region costs ~15 µs.

Entry points: ``fwht_inplace(a, scale)`` (the contract) and
``fwht_copy(a, scale) -> new array``, which fuses the copy into the first
pass (it reads ``a`` and writes the result) and returns an aligned buffer
(for large outputs, a reusable one from :mod:`._buffers`); use it whenever
the caller would otherwise copy first.

Float64 results are bit-identical to the reference because every pass
applies whole levels in ascending order.  ``make_plan`` turns (dtype, N)
into the plan array; ``fwht_inplace`` caches it per (dtype, N), so a call
costs a dict lookup plus one numba dispatch.
"""

from __future__ import annotations

import os
import threading

import llvmlite.binding as _llvm
import numba
import numpy as np
from llvmlite import ir
from numba import prange
from numba.core import cgutils, types
from numba.extending import intrinsic

from .._jit import jit, pjit
from . import _buffers

# --- vector width ------------------------------------------------------------------------

_FEATURES = _llvm.get_host_cpu_features()
#: Bytes per vector: one native register.  With 16 AVX2 registers a radix-8
#: butterfly then needs 8; wider vectors would be split and spill.
VEC_BYTES = 64 if _FEATURES.get("avx512f", False) else 32
_HAS_FMA = bool(_FEATURES.get("fma", False)) or bool(_FEATURES.get("neon", False))
#: Radix of the in-register ``_low`` kernel (vectors per call).
LOW_U = 8


def _width(itemsize: int) -> int:
    return max(VEC_BYTES // itemsize, 1)


# --- LLVM IR helpers ---------------------------------------------------------------------


def _ir_info(context, dt):
    elty = context.get_value_type(dt)
    is_float = isinstance(dt, types.Float)
    w = _width(dt.bitwidth // 8)
    return elty, ir.VectorType(elty, w), w, is_float


def _data_ptr(context, builder, aty, aval):
    return context.make_array(aty)(context, builder, aval).data


def _vptr(builder, base, off, vecty):
    return builder.bitcast(builder.gep(base, [off]), vecty.as_pointer())


def _load(builder, base, off, vecty, align):
    return builder.load(_vptr(builder, base, off, vecty), align=align)


def _store(builder, val, base, off, vecty, align):
    builder.store(val, _vptr(builder, base, off, vecty), align=align)


def _add(builder, a, b, is_float):
    return builder.fadd(a, b) if is_float else builder.add(a, b)


def _sub(builder, a, b, is_float):
    return builder.fsub(a, b) if is_float else builder.sub(a, b)


def _radix(builder, vs, is_float):
    """Radix-len(vs) butterfly in registers: levels d = 1, 2, 4, ... ascending."""
    vs = list(vs)
    d = 1
    while d < len(vs):
        for i in range(len(vs)):
            if not i & d:
                u, v = vs[i], vs[i + d]
                vs[i] = _add(builder, u, v, is_float)
                vs[i + d] = _sub(builder, u, v, is_float)
        d *= 2
    return vs


def _fma_fn(builder, vecty):
    elty = vecty.element
    name = f"llvm.fma.v{vecty.count}f{elty.intrinsic_name[1:]}"
    return cgutils.get_or_insert_function(builder.module, ir.FunctionType(vecty, [vecty] * 3), name)


def _splat(builder, context, val, from_ty, dt, vecty, w):
    s = context.cast(builder, val, from_ty, dt)
    v = ir.Constant(vecty, ir.Undefined)
    v = builder.insert_element(v, s, ir.Constant(ir.IntType(32), 0))
    zeros = ir.Constant(ir.VectorType(ir.IntType(32), w), [0] * w)
    return builder.shuffle_vector(v, ir.Constant(vecty, ir.Undefined), zeros)


def _scale_all(builder, vs, sv, is_float):
    return [builder.fmul(v, sv) if is_float else builder.mul(v, sv) for v in vs]


def _radix_store(builder, vs, is_float, svec, dests, vecty, align):
    """Radix-len(vs) butterfly, times ``svec`` unless it is None, stored to
    ``dests``, a list of (base pointer, element offset)."""
    vs = _radix(builder, vs, is_float)
    if svec is not None:
        vs = _scale_all(builder, vs, svec, is_float)
    for v, (base, off) in zip(vs, dests):
        _store(builder, v, base, off, vecty, align)


def _inreg_level(builder, x, d, elty, vecty, w, is_float):
    """Level with butterfly distance d < w inside one vector register."""
    i32 = ir.IntType(32)
    swap = ir.Constant(ir.VectorType(i32, w), [i ^ d for i in range(w)])
    t = builder.shuffle_vector(x, ir.Constant(vecty, ir.Undefined), swap)
    if is_float:
        # lane i (bit d clear): x_i*1 + x_{i+d}; lane i (bit d set): x_i*(-1) + x_{i-d}.
        # The product by ±1 is exact, so fma == one correctly rounded u+v / u-v.
        sign = ir.Constant(vecty, [-1.0 if i & d else 1.0 for i in range(w)])
        if _HAS_FMA:
            return builder.call(_fma_fn(builder, vecty), [x, sign, t])
        return builder.fadd(builder.fmul(x, sign), t)
    s = builder.add(x, t)  # lanes with bit d clear: x_i + x_{i+d}
    df = builder.sub(t, x)  # lanes with bit d set: x_{i-d} - x_i
    blend = ir.Constant(ir.VectorType(i32, w), [(w + i) if i & d else i for i in range(w)])
    return builder.shuffle_vector(s, df, blend)


# --- intrinsics ----------------------------------------------------------------------------
# Each intrinsic emits one loop over contiguous columns, so the hot loops are
# exactly the IR written here (one pointer per stream, no spills).


def _vec_count(builder, n, w):
    return builder.ashr(n, ir.Constant(n.type, w.bit_length() - 1))


def _make_low(scaled):
    @intrinsic
    def low(typingctx, src, soff, dst, doff, size, scale):
        """src[soff : soff+size] -> dst[doff : doff+size] in chunks of LOW_U vectors,
        all levels below log2(LOW_U * W).  src may be dst (in place)."""
        sig = types.void(src, soff, dst, doff, size, scale)

        def codegen(context, builder, signature, args):
            sv, so, dv, do, sizev, sclv = args
            sty, soty, dty, doty, sizety, sclty = signature.args
            dt = sty.dtype
            elty, vecty, w, is_float = _ir_info(context, dt)
            align = dt.bitwidth // 8
            so = context.cast(builder, so, soty, types.intp)
            do = context.cast(builder, do, doty, types.intp)
            size = context.cast(builder, sizev, sizety, types.intp)
            sbase = builder.gep(_data_ptr(context, builder, sty, sv), [so])
            dbase = builder.gep(_data_ptr(context, builder, dty, dv), [do])
            svec = _splat(builder, context, sclv, sclty, dt, vecty, w) if scaled else None
            nchunks = _vec_count(builder, size, w * LOW_U)
            with cgutils.for_range(builder, nchunks) as loop:
                j = builder.mul(loop.index, ir.Constant(so.type, w * LOW_U))
                offs = [builder.add(j, ir.Constant(so.type, k * w)) for k in range(LOW_U)]
                vs = [_load(builder, sbase, o, vecty, align) for o in offs]
                d = 1
                while d < w:
                    vs = [_inreg_level(builder, v, d, elty, vecty, w, is_float) for v in vs]
                    d *= 2
                _radix_store(builder, vs, is_float, svec, [(dbase, o) for o in offs], vecty,
                             align)
            return context.get_dummy_value()

        return sig, codegen

    return low


def _prefetch(builder, ptr):
    """Prefetch the cache line at ``ptr`` for reading (into all cache levels)."""
    i8p = ir.IntType(8).as_pointer()
    i32 = ir.IntType(32)
    # the name mangles the pointer type ("p0i8"); LLVMs with opaque pointers
    # remangle it to "p0" when they read the module
    fn = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]),
        "llvm.prefetch." + i8p.intrinsic_name)
    builder.call(fn, [builder.bitcast(ptr, i8p), ir.Constant(i32, 0), ir.Constant(i32, 3),
                      ir.Constant(i32, 1)])


def _make_cols(radix, scaled, prefetch=False):
    """Radix-``radix`` butterflies on ``ngroups`` groups of ``radix`` rows:
    src[soff + g*sgroup + k*sstride + j] -> dst[doff + g*dgroup + k*dstride + j]
    for g < ngroups, k < radix and j = 0, W, 2W, ... < ncols.

    The prefetching variant takes three more arguments ``pf, pcur, pend``
    and, with every W columns, prefetches one cache line of ``pf``: in the
    i-th iteration (counted over all groups) the line at element
    ``pcur + i * LINE`` while that is below ``pend``, else the line at
    ``pcur`` again (``pcur < pend`` must hold; LINE = 64 bytes)."""

    def codegen(context, builder, signature, args):
        sv, dv, sclv = args[0], args[3], args[10]
        sty, dty, sclty = signature.args[0], signature.args[3], signature.args[10]
        so, ss, do, ds, nc, ng, sg, dg = (
            context.cast(builder, args[i], signature.args[i], types.intp)
            for i in (1, 2, 4, 5, 6, 7, 8, 9)
        )
        dt = sty.dtype
        elty, vecty, w, is_float = _ir_info(context, dt)
        align = dt.bitwidth // 8
        intp = context.get_value_type(types.intp)
        sbase = _data_ptr(context, builder, sty, sv)
        dbase = _data_ptr(context, builder, dty, dv)
        svec = _splat(builder, context, sclv, sclty, dt, vecty, w) if scaled else None
        nvec = _vec_count(builder, nc, w)
        if prefetch:
            pty = signature.args[11]
            pbase = _data_ptr(context, builder, pty, args[11])
            pcur, pend = (context.cast(builder, args[i], signature.args[i], types.intp)
                          for i in (12, 13))
            line = ir.Constant(intp, max(64 // (pty.dtype.bitwidth // 8), 1))
        with cgutils.for_range(builder, ng) as group:
            sgo = builder.add(so, builder.mul(group.index, sg))
            dgo = builder.add(do, builder.mul(group.index, dg))
            sp = [builder.gep(sbase, [builder.add(sgo, builder.mul(ss, ir.Constant(intp, k)))])
                  for k in range(radix)]
            dp = [builder.gep(dbase, [builder.add(dgo, builder.mul(ds, ir.Constant(intp, k)))])
                  for k in range(radix)]
            if prefetch:
                pgo = builder.add(pcur, builder.mul(builder.mul(group.index, nvec), line))
            with cgutils.for_range(builder, nvec) as loop:
                j = builder.mul(loop.index, ir.Constant(intp, w))
                if prefetch:
                    pi = builder.add(pgo, builder.mul(loop.index, line))
                    pi = builder.select(builder.icmp_signed("<", pi, pend), pi, pcur)
                    _prefetch(builder, builder.gep(pbase, [pi]))
                vs = [_load(builder, p, j, vecty, align) for p in sp]
                _radix_store(builder, vs, is_float, svec, [(p, j) for p in dp], vecty, align)
        return context.get_dummy_value()

    if prefetch:
        @intrinsic
        def cols_pf(typingctx, src, soff, sstride, dst, doff, dstride, ncols, ngroups, sgroup,
                    dgroup, scale, pf, pcur, pend):
            return types.void(src, soff, sstride, dst, doff, dstride, ncols, ngroups, sgroup,
                              dgroup, scale, pf, pcur, pend), codegen

        return cols_pf

    @intrinsic
    def cols(typingctx, src, soff, sstride, dst, doff, dstride, ncols, ngroups, sgroup, dgroup,
             scale):
        return types.void(src, soff, sstride, dst, doff, dstride, ncols, ngroups, sgroup, dgroup,
                          scale), codegen

    return cols


def _make_fetch_add(ordering):
    @intrinsic
    def fetch_add(typingctx, counter, idx, step):
        """Atomically ``old = counter[idx]; counter[idx] += step; return old`` (int64)."""
        sig = types.int64(counter, idx, step)

        def codegen(context, builder, signature, args):
            cty, ity, sty = signature.args
            base = _data_ptr(context, builder, cty, args[0])
            ptr = builder.gep(base, [context.cast(builder, args[1], ity, types.intp)])
            inc = context.cast(builder, args[2], sty, types.int64)
            return builder.atomic_rmw("add", ptr, inc, ordering)

        return sig, codegen

    return fetch_add


#: Hands out work items (only the count matters: monotonic).
_fetch_add = _make_fetch_add("monotonic")
#: Counts finished items and reads the count: release/acquire, so the data a
#: thread wrote before it counted an item is visible to the thread that
#: waited for the count (x86 orders this anyway; ARM needs it).
_fetch_add_sync = _make_fetch_add("acq_rel")


_low = _make_low(False)
_lows = _make_low(True)
_c2 = _make_cols(2, False)
_c4 = _make_cols(4, False)
_c8 = _make_cols(8, False)
_c2s = _make_cols(2, True)
_c4s = _make_cols(4, True)
_c8s = _make_cols(8, True)
_c2p = _make_cols(2, False, True)
_c4p = _make_cols(4, False, True)
_c8p = _make_cols(8, False, True)


# --- serial drivers ------------------------------------------------------------------------
# Numba specialises a callee on literal arguments (``f(x, 0)`` compiles a
# version for ``Literal[int](0)``); to keep one compiled version per kernel,
# drivers pass run-time values (``zero``, ``no``) instead of literals.


@jit
def _scalar(x, off, n, scale, do_scale):
    # Plain radix-2 on x[off : off + 2**n]; for rows shorter than one _low chunk.
    size = 1 << n
    h = 1
    while h < size:
        for i in range(off, off + size, 2 * h):
            for j in range(i, i + h):
                u = x[j]
                v = x[j + h]
                x[j] = u + v
                x[j + h] = u - v
        h *= 2
    if do_scale:
        for j in range(off, off + size):
            x[j] = x[j] * scale


@jit
def _stage(src, sbase, sstride, dst, dbase, dstride, nrows, ncols, lev, k, scale, do_scale,
           pf, pc, pe):
    """Levels lev..lev+k-1 (k <= 3) over the row index of an (nrows, ncols) tile.

    Row r of the source starts at src[sbase + r*sstride], of the destination at
    dst[dbase + r*dstride]; columns are contiguous and ncols is a multiple of W.
    The butterflies pair rows r and r + 2**l for l in lev..lev+k-1.

    While ``pc < pe`` (and not do_scale), the kernels also prefetch the lines
    of ``pf`` from element ``pc`` on, one per W columns, up to ``pe``; returns
    where the prefetching stopped (``pc`` if it did not run).
    """
    h = 1 << lev
    span = h << k
    ss = h * sstride
    ds = h * dstride
    ng = nrows // span
    sg = span * sstride
    dg = span * dstride
    line = max(64 // pf.itemsize, 1)
    step = ng * (ncols // max(VEC_BYTES // src.itemsize, 1)) * line  # lines per kernel call
    for i in range(h):
        so = sbase + i * sstride
        do = dbase + i * dstride
        if pc < pe and not do_scale:
            if k == 3:
                _c8p(src, so, ss, dst, do, ds, ncols, ng, sg, dg, scale, pf, pc, pe)
            elif k == 2:
                _c4p(src, so, ss, dst, do, ds, ncols, ng, sg, dg, scale, pf, pc, pe)
            else:
                _c2p(src, so, ss, dst, do, ds, ncols, ng, sg, dg, scale, pf, pc, pe)
            pc = min(pc + step, pe)
        elif k == 3:
            if do_scale:
                _c8s(src, so, ss, dst, do, ds, ncols, ng, sg, dg, scale)
            else:
                _c8(src, so, ss, dst, do, ds, ncols, ng, sg, dg, scale)
        elif k == 2:
            if do_scale:
                _c4s(src, so, ss, dst, do, ds, ncols, ng, sg, dg, scale)
            else:
                _c4(src, so, ss, dst, do, ds, ncols, ng, sg, dg, scale)
        else:
            if do_scale:
                _c2s(src, so, ss, dst, do, ds, ncols, ng, sg, dg, scale)
            else:
                _c2(src, so, ss, dst, do, ds, ncols, ng, sg, dg, scale)
    return pc


@jit
def _sweeps(x, off, nbits, lo, hi, scale, do_scale, pf, pc, pe):
    """In place on x[off : off + 2**nbits]: levels lo..hi-1 in radix-<=8 sweeps.

    The levels are split into ceil((hi-lo)/3) near-equal groups, ascending;
    only the last sweep scales.  Prefetches pf[pc:pe] on the way (see _stage);
    returns where that stopped.
    """
    r = hi - lo
    if r <= 0:
        return pc
    nsw = (r + 2) // 3
    zero = lo - lo
    lev = lo
    for s in range(nsw):
        k = (hi - lev + (nsw - s) - 1) // (nsw - s)  # ceil(levels left / sweeps left)
        # the block as (2**(nbits-lev), 2**lev): butterflies pair rows 1..2**(k-1) apart
        ncols = 1 << lev
        pc = _stage(x, off, ncols, x, off, ncols, 1 << (nbits - lev), ncols, zero, k, scale,
                    do_scale and s == nsw - 1, pf, pc, pe)
        lev += k
    return pc


@jit
def _block(src, soff, x, off, nbits, l1bits, lowbits, scale, do_scale, pc, lim, ahead):
    """x[off : off + 2**nbits] <- transform of src[soff : soff + 2**nbits]
    (serial, in cache; src may be x itself).

    With ``ahead > 0``, the in-cache sweeps also prefetch the input that the
    next reads will need: src from ``pc`` on, at most ``ahead`` elements past
    the input read so far and never past ``lim``.  Returns the new ``pc``.
    Without it, the memory idles while the sweeps compute (see PREFETCH_BYTES).
    """
    size = 1 << nbits
    if nbits < lowbits:
        for i in range(size):
            x[off + i] = src[soff + i]
        _scalar(x, off, nbits, scale, do_scale)
        return pc
    sub = min(nbits, max(l1bits, lowbits))
    tail = sub < nbits
    low_last = do_scale and sub == lowbits and not tail
    for sb in range(0, size, 1 << sub):
        if low_last:
            _lows(src, soff + sb, x, off + sb, 1 << sub, scale)
        else:
            _low(src, soff + sb, x, off + sb, 1 << sub, scale)
        read = soff + sb + (1 << sub)  # input read so far
        pc = max(pc, read)
        pe = min(read + ahead, lim)
        pc = _sweeps(x, off + sb, sub, lowbits, sub, scale, do_scale and not tail, src, pc, pe)
    if tail:
        pe = min(soff + size + ahead, lim)
        pc = _sweeps(x, off, nbits, sub, nbits, scale, do_scale, src, pc, pe)
    return pc


# --- passes and entry points -------------------------------------------------------------------
# Every pass takes its work items (rows, blocks, tiles) from an atomic
# counter, on one thread or spread over several by _par.


# Counter slots: rows/pass-1 items handed out (0), pass-1 items finished (1),
# column-pass items handed out and finished (2, 3), second column pass (4, 5).
# (_cols_work(..., slot) uses slots slot and slot + 1; the kernels do not
# bounds-check, so a slot past the end is a silent heap write.)
_N_COUNTERS = 6
#: Where the multi-pass drivers' parameters prm = [b, l1bits, lowbits, m, tw,
#: tw2, s, tw0, ahead] sit in the plan array (see make_plan).
_PRM_OF_PLAN = (3, 1, 2, 6, 4, 7, 8, 9, 10)


@jit
def _rows_work(src, x, nrows, nbits, l1bits, lowbits, scale, do_scale, chunk, counter):
    # whole rows of 2**nbits, ``chunk`` rows per work item (no prefetch)
    size = 1 << nbits
    zero = nbits - nbits
    while True:
        r0 = _fetch_add(counter, zero, chunk)
        if r0 >= nrows:
            break
        for r in range(r0, min(r0 + chunk, nrows)):
            _block(src, r * size, x, r * size, nbits, l1bits, lowbits, scale, do_scale,
                   zero, zero, zero)


@jit
def _pass1_work(src, x, off, nbits, b, l1bits, lowbits, scale, do_scale, counter, ahead):
    # pass 1: levels 0..b-1 on every block of 2**b, read from src, written to x;
    # with ahead > 0 (one thread per range: super-blocks), the sweeps of a block
    # prefetch the input of the blocks after it, up to the end of the range
    nblk = 1 << (nbits - b)
    bsize = 1 << b
    zero = b - b
    pc = off
    lim = off + (1 << nbits)
    while True:
        i = _fetch_add(counter, zero, 1)
        if i >= nblk:
            break
        pc = _block(src, off + i * bsize, x, off + i * bsize, b, l1bits, lowbits, scale,
                    do_scale, pc, lim, ahead)
        _fetch_add_sync(counter, zero + 1, 1)


@jit
def _cols_work(x, off, nbits, lo, hi, tw, scale, do_scale, counter, slot):
    """Levels lo..hi-1 of x[off : off + 2**nbits]: each block of 2**hi is viewed
    as 2**(hi-lo) rows of 2**lo and processed one column tile (tw wide) at a time:
    gather into a buffer fused with the first radix stage, middle stages in the
    buffer, scatter fused with the last stage (and the scaling).  Tiles are
    handed out by counter[slot] and counted in counter[slot + 1]."""
    c = hi - lo
    nrows = 1 << c
    rstride = 1 << lo
    tpb = rstride // tw  # tiles per block of 2**hi
    ntiles = tpb << (nbits - hi)
    nst = (c + 2) // 3
    zero = lo - lo
    no = lo < 0
    buf = np.empty(nrows * tw if nst > 1 else 0, dtype=x.dtype)
    while True:
        tile = _fetch_add(counter, slot, 1)
        if tile >= ntiles:
            break
        blk = tile // tpb
        col = off + (blk << hi) + (tile - blk * tpb) * tw
        if nst == 1:  # radix <= 8: in place
            _stage(x, col, rstride, x, col, rstride, nrows, tw, zero, c, scale, do_scale,
                   x, zero, zero)
        else:
            lev = zero
            for s in range(nst):
                k = (c - lev + (nst - s) - 1) // (nst - s)
                if s == 0:  # gather + first radix stage
                    _stage(x, col, rstride, buf, zero, tw, nrows, tw, lev, k, scale, no,
                           x, zero, zero)
                elif s == nst - 1:  # last radix stage + scatter (+ scaling)
                    _stage(buf, zero, tw, x, col, rstride, nrows, tw, lev, k, scale, do_scale,
                           x, zero, zero)
                else:
                    _stage(buf, zero, tw, buf, zero, tw, nrows, tw, lev, k, scale, no,
                           x, zero, zero)
                lev += k
        _fetch_add_sync(counter, slot + 1, 1)


@jit
def _wait(counter, slot, target):
    # Spin until counter[slot] == target.  Cannot deadlock: the items still
    # missing were taken by iterations that are running on other threads (an
    # iteration finishes its items before it waits), whatever the number of
    # threads the parallel layer actually runs.
    while _fetch_add_sync(counter, slot, 0) < target:
        pass


@jit
def _super_work(src, x, off, nbits, s, prm, scale, counter):
    """Phase 1 with super-blocks: each thread transforms whole blocks of 2**s
    on its own (pass 1 on blocks of 2**b, then levels b..s-1 as one column
    pass), so those column levels run on data the thread has just written and
    that is still in its caches (L3), not on data read back from memory.
    Super-blocks are handed out by counter[0] and counted in counter[1]."""
    nsb = 1 << (nbits - s)
    ssize = 1 << s
    zero = s - s
    no = s < 0
    own = np.empty(_N_COUNTERS, dtype=np.int64)  # this thread's counters
    while True:
        i = _fetch_add(counter, zero, 1)
        if i >= nsb:
            break
        own[:] = 0
        o = off + i * ssize
        _pass1_work(src, x, o, s, prm[0], prm[1], prm[2], scale, no, own, prm[8])
        _cols_work(x, o, s, prm[0], s, prm[7], scale, no, own, zero + 2)
        _fetch_add_sync(counter, zero + 1, 1)


@jit
def _multipass_work(src, x, off, nbits, prm, scale, do_scale, counter):
    """One thread's share of every pass of one long row (plan kind 1), with the
    passes separated by waits on the finished-item counts instead of separate
    parallel regions: waking sleeping threads costs ~15 µs per region.

    prm = [b, l1bits, lowbits, m, tw, tw2, s, tw0, ahead]; see make_plan.
    """
    b = prm[0]
    m = prm[3]
    s = prm[6]
    no = nbits < 0
    one = b - b + 1  # counter slots as run-time values (see the note above _scalar)
    if s == b:
        _pass1_work(src, x, off, nbits, b, prm[1], prm[2], scale, no, counter, one - 1)
    else:
        _super_work(src, x, off, nbits, s, prm, scale, counter)
    _wait(counter, one, 1 << (nbits - s))
    _cols_work(x, off, nbits, s, m, prm[4], scale, do_scale and m == nbits, counter, one + 1)
    if m < nbits:
        _wait(counter, one + 2, ((1 << s) // prm[4]) << (nbits - m))
        _cols_work(x, off, nbits, m, nbits, prm[5], scale, do_scale, counter, one + 3)


@jit
def _work(what, src, x, off, nbits, prm, scale, do_scale, counter):
    """One thread's share: what 0 is rows of 2**nbits (prm = [nrows, l1bits,
    lowbits, rows per item]), what 1 every pass of one long row (see
    _multipass_work)."""
    if what == 0:
        _rows_work(src, x, prm[0], nbits, prm[1], prm[2], scale, do_scale, prm[3], counter)
    else:
        _multipass_work(src, x, off, nbits, prm, scale, do_scale, counter)


@pjit
def _par(what, src, x, off, nbits, prm, scale, do_scale, nthr, counter):
    # Every thread takes items from the shared counters, so a thread the OS
    # delays holds back one item, not a fixed share.  One parallel function
    # serves all paths: each costs seconds to compile.
    for t in prange(nthr):
        _work(what, src, x, off, nbits, prm, scale, do_scale, counter)


@jit
def _pass(what, src, x, off, nbits, prm, scale, do_scale, nthreads, counter):
    counter[:] = 0
    if nthreads > 1:
        _par(what, src, x, off, nbits, prm, scale, do_scale, nthreads, counter)
    else:
        _work(what, src, x, off, nbits, prm, scale, do_scale, counter)


@jit
def _transform(src, x, nrows, nbits, scale, plan, nthreads):
    """x <- transform of src, both flat (nrows * 2**nbits); src may be x."""
    size = 1 << nbits
    do_scale = scale != 1.0
    # run-time constants, not literals (see the note above _scalar)
    zero = nbits - nbits
    kind = plan[0]
    nthr = nthreads if nthreads > 1 and nrows * size >= plan[5] else 1
    counter = np.zeros(_N_COUNTERS, dtype=np.int64)
    prm = np.empty(len(_PRM_OF_PLAN), dtype=np.int64)
    if kind == 0:
        if nthr > 1 and nrows > 1:
            nthr = min(nthr, nrows)
            # small work items (~32 KiB of rows): a preempted thread holds back little
            chunk = max(1, min(nrows // (8 * nthr), (32768 // x.itemsize) >> nbits))
        else:
            chunk = nrows
            nthr = 1
        prm[0] = nrows
        prm[1] = plan[1]
        prm[2] = plan[2]
        prm[3] = chunk
        _pass(zero, src, x, zero, nbits, prm, scale, do_scale, nthr, counter)
        return
    for i in range(len(_PRM_OF_PLAN)):
        prm[i] = plan[_PRM_OF_PLAN[i]]
    for r in range(nrows):
        _pass(zero + 1, src, x, r * size, nbits, prm, scale, do_scale, nthr, counter)


@jit
def _run(a, scale, plan, nthreads):
    """Transform the rows of the C-contiguous (nrows, 2**n) array ``a`` in place.

    plan = [kind, l1bits, lowbits, b, tw, par_min, m, tw2, s, tw0, ahead] (see make_plan);
    threads are used when nthreads > 1 and the work holds >= par_min elements.
    (Loaded from numba's cache, this needs the threading layer started first:
    call numba.get_num_threads() once.)
    """
    nrows, size = a.shape
    nbits = 0
    while (1 << nbits) < size:
        nbits += 1
    x = a.reshape(nrows * size)
    _transform(x, x, nrows, nbits, scale, plan, nthreads)


@jit
def _run_into(a, out, scale, plan, nthreads):
    """out <- transform of a (both C-contiguous (nrows, 2**n), distinct)."""
    nrows, size = a.shape
    nbits = 0
    while (1 << nbits) < size:
        nbits += 1
    _transform(a.reshape(nrows * size), out.reshape(nrows * size), nrows, nbits, scale, plan,
               nthreads)


@jit
def _run_copy(a, scale, plan, nthreads):
    """Like _run, into a new (32-byte aligned) array; ``a`` is left unchanged.
    The copy is fused into the first pass (read from ``a``, write the result)."""
    nrows, size = a.shape
    nbits = 0
    while (1 << nbits) < size:
        nbits += 1
    out = np.empty((nrows, size), dtype=a.dtype)
    _transform(a.reshape(nrows * size), out.reshape(nrows * size), nrows, nbits, scale, plan,
               nthreads)
    return out


@jit
def _run_copy_1d(a, scale, plan, nthreads):
    """_run_copy for one row given as a 1-D array (saves the caller two reshapes)."""
    size = a.shape[0]
    nbits = 0
    while (1 << nbits) < size:
        nbits += 1
    out = np.empty(size, dtype=a.dtype)
    _transform(a, out, 1, nbits, scale, plan, nthreads)
    return out


# --- plans -----------------------------------------------------------------------------------

#: Bytes of one L1 sub-block in ``_block`` (half of a 32 KiB L1d).
L1_BYTES = 16 << 10
#: Largest row (bytes) transformed serially in cache; larger rows go two-pass.
SERIAL_MAX_BYTES = 256 << 10
#: Largest pass-1 block (bytes): an L3-resident megabyte.
BLOCK_MAX_BYTES = 1 << 20
#: Pass-1 block (bytes) when the column levels need two passes: half an L2.
BLOCK_BYTES = 256 << 10
#: Most levels in one column pass: 2**c rows per tile, and each tile row must
#: stay long (>= ~1 KiB contiguous) for the gather to stream.  Beyond it (and
#: beyond BLOCK_MAX_BYTES) the column levels are split over two passes.
MAX_ROW_BITS = 8
#: Pass-2 per-thread buffer (bytes).
BUF_BYTES = 256 << 10
#: Smallest work (bytes, all rows together) that is spread over threads.
#: Waking sleeping worker threads costs ~15 µs (OMP_WAIT_POLICY=PASSIVE, 2
#: Zen 3 cores); measured with one region per row, a 512 KiB float64 row
#: was no faster on two threads than on one (p10 68 vs 62 µs), 1 MiB was
#: 15 % faster, so smaller transforms stay on one thread.
PAR_MIN_BYTES = 1 << 20
#: Rows of SUPER_MIN_BYTES or more are transformed in super-blocks of
#: SUPER_BYTES: each thread finishes the levels inside a super-block while it
#: is in the L3 cache, so only the levels across super-blocks read the row
#: back from memory (see make_plan).  Measured on 2 Zen 3 cores (32 MiB L3),
#: medians of 15-41 interleaved calls against the plan without super-blocks,
#: the input rewritten before each call as in the benchmark: float64 2**22
#: 7.4 vs 8.5 ms, 2**24 33.2 vs 34.3 ms, 2**26 171 vs 194 ms; float32 2**24
#: the same (17.5 vs 17.3 ms), 2**26 71 vs 80 ms.  2 and 8 MiB super-blocks
#: were no better overall (and two threads' 4 MiB leave room in smaller L3
#: caches).  Smaller rows, whose input and output fit in L3 together, gain
#: nothing: 8 MiB rows were 5-15 % slower, 16 MiB rows the same.
SUPER_BYTES = 4 << 20
SUPER_MIN_BYTES = 16 << 20
#: In a super-block, pass 1's in-cache sweeps prefetch the input up to this
#: many bytes past what it has read (``_block``): while one block's sweeps
#: compute, the memory fetches the next blocks' start instead of idling.
#: Measured on 2 Zen 3 cores against the same plan without prefetch, medians
#: of 41 interleaved calls (15 at 2**26), the input rewritten before each:
#: float64 2**22 4.74 vs 4.86 ms, 2**24 24.8 vs 26.0 ms, 2**26 137 vs 152 ms;
#: float32 2**24 12.1 vs 12.8 and 13.5 vs 14.0 ms; int64 2**24 24.4 vs
#: 25.3 ms.  64 and 256 KiB were within noise of 128 KiB.
PREFETCH_BYTES = 128 << 10

_PLANS: dict = {}


def _log2(v: int) -> int:
    return v.bit_length() - 1


def _tile_width(itemsize, w, lo, c):
    """Column tile width for a pass of c levels over rows 2**lo long."""
    rows = 1 << c
    if c <= 3:  # in place; only the work split matters: >= 16 tiles per block
        return max(w, min(1 << lo, (1 << lo) >> 4, 2048))
    return max(w, min(1 << lo, (BUF_BYTES // itemsize) // rows))


def make_plan(dtype, size, *, kind=None, b=None, m=None, tw=None, tw2=None, l1_bytes=None,
              par_min=None, s=None, tw0=None, ahead=None):
    """The plan array for rows of ``size`` elements of ``dtype``.

    ``[kind, l1bits, lowbits, b, tw, par_min, m, tw2, s, tw0, ahead]``: kind 0
    transforms each row in cache (``_block``, sub-blocks of ``2**l1bits``).
    Kind 1 runs three phases: (1) on every super-block of ``2**s``, pass 1
    on its blocks of ``2**b`` and, if ``s > b``, its levels ``b..s-1`` as a
    column pass (tiles ``tw0`` wide), each super-block by one thread while it
    is still in cache; (2) a column pass over levels ``s..m-1`` (tiles ``tw``
    wide); (3) if ``m < n``, one over ``m..n-1`` (tiles ``tw2`` wide).
    With super-blocks (``s > b``), pass 1 prefetches its input up to
    ``ahead`` elements past what it has read (0: no prefetch).
    Threads are used from ``par_min`` elements on.  Keyword arguments override
    the size rules (tests use them to force a path at small sizes).
    """
    itemsize = np.dtype(dtype).itemsize
    w = _width(itemsize)
    n = _log2(size)
    lowbits = _log2(LOW_U * w)
    l1bits = _log2((l1_bytes or L1_BYTES) // itemsize)
    par = PAR_MIN_BYTES // itemsize if par_min is None else par_min
    if kind is None:
        kind = 0 if size * itemsize <= SERIAL_MAX_BYTES else 1
    if kind == 0:
        return np.array([0, l1bits, lowbits, 0, 0, par, 0, 0, 0, 0, 0], dtype=np.int64)
    if s is None and b is None and size * itemsize >= max(SUPER_MIN_BYTES, 2 * SUPER_BYTES):
        s = _log2(SUPER_BYTES // itemsize)
    if s is not None and b is None:  # a super-block is planned like a row of its own
        inner = make_plan(dtype, 1 << s, kind=1, l1_bytes=l1_bytes)
        b, tw0 = int(inner[3]), (int(inner[4]) if tw0 is None else tw0)
    if b is None:
        # blocks up to 1 MiB (L3-resident) so that one in-place radix-8 column
        # sweep, or a single gather/scatter pass, finishes the transform ...
        b = max(1, min(n - 3, _log2(BLOCK_MAX_BYTES // itemsize)))
        if n - b > MAX_ROW_BITS:  # ... else L2-sized blocks and two column passes
            b = _log2(BLOCK_BYTES // itemsize)
    if s is None:
        s = b
    if tw0 is None:
        tw0 = _tile_width(itemsize, w, b, s - b) if s > b else w
    if m is None:
        c = n - s
        m = n if c <= MAX_ROW_BITS else s + c // 2
    if not 0 < b <= s < m <= n:
        raise ValueError(
            f"bad multi-pass plan: need 0 < b <= s < m <= n, got b={b} s={s} m={m} n={n}")
    if tw is None:
        tw = _tile_width(itemsize, w, s, m - s)
    if tw2 is None:
        tw2 = _tile_width(itemsize, w, m, n - m) if m < n else w
    for width, lo in ((tw0, b), (tw, s), (tw2, m)):
        if width % w or (1 << lo) % width:
            raise ValueError(f"bad tile width {width}: a multiple of {w} dividing {1 << lo}")
    if ahead is None:
        ahead = PREFETCH_BYTES // itemsize if s > b else 0
    if ahead < 0:
        raise ValueError(f"bad prefetch distance {ahead}: need >= 0")
    return np.array([1, l1bits, lowbits, b, tw, par, m, tw2, s, tw0, ahead], dtype=np.int64)


# --- threads: what the threading layer allows -------------------------------------------
# numba runs parallel regions on its "threading layer": TBB, OpenMP or its own
# workqueue.  With GNU OpenMP, a process forked after the parent ran a parallel
# region is terminated by numba when it starts one (multiprocessing's default
# start method on Linux forks), so such a child transforms on one thread; the
# workqueue layer is not thread-safe, so its parallel regions are serialised.

_state = {"layer": None, "forked": False}
_WORKQUEUE_LOCK = threading.Lock()


def _after_fork_in_child():
    # the parent's layer, whoever started it (numba raises while none is running)
    try:
        layer = numba.threading_layer()
    except ValueError:
        layer = _state["layer"]
    _state["forked"] = layer == "omp"


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _start_threads():
    # _run links in the threaded drivers; code loaded from numba's cache
    # expects the threading layer to be up already (else it segfaults), and
    # get_num_threads() starts it.
    numba.get_num_threads()
    if _state["layer"] is None:
        try:
            _state["layer"] = numba.threading_layer()
        except ValueError:  # not started after all
            pass


def _threads() -> int:
    """Threads for this call: numba's setting, or 1 in a forked child (see above)."""
    return 1 if _state["forked"] else numba.get_num_threads()


def _parallel(call, nthreads, *args):
    if nthreads > 1 and _state["layer"] == "workqueue":
        with _WORKQUEUE_LOCK:
            return call(*args)
    return call(*args)


def _new_plan(a):
    _start_threads()
    plan = make_plan(a.dtype, a.shape[1])
    entry = _PLANS[a.dtype.num, a.shape[1]] = (plan, int(plan[5]))
    return entry


def fwht_inplace(a: np.ndarray, scale: float = 1.0) -> None:
    """Transform each row of the C-contiguous 2-D array ``a`` in place.

    Computes ``a[r] <- scale * (H @ a[r])`` with ``H`` the unnormalised
    Sylvester–Hadamard matrix.  ``scale`` must be 1 for integer arrays.
    """
    plan, par_min = _PLANS.get((a.dtype.num, a.shape[1])) or _new_plan(a)
    if a.size < par_min:
        _run(a, float(scale), plan, 1)
    else:
        nthreads = _threads()
        _parallel(_run, nthreads, a, float(scale), plan, nthreads)


def fwht_copy(a: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Return a new array whose rows are ``scale * (H @ a[r])``; ``a`` is unchanged.

    ``a`` must be a C-contiguous 2-D array of a kernel dtype (as for
    :func:`fwht_inplace`).  The copy is fused into the first pass, so this
    moves less memory than ``b = a.copy(); fwht_inplace(b)``, and the result
    is 32-byte aligned (numpy's own buffers are 16-byte aligned, which makes
    half of the vector loads straddle cache lines).
    """
    if not (a.flags.c_contiguous and a.flags.writeable):
        # (a read-only array is a different numba type: avoid compiling for it)
        out = np.array(a, order="C", copy=True)
        fwht_inplace(out, scale)
        return out
    plan, par_min = _PLANS.get((a.dtype.num, a.shape[1])) or _new_plan(a)
    nthreads = 1 if a.size < par_min else _threads()
    if a.nbytes < _buffers.MIN_BYTES:
        return _parallel(_run_copy, nthreads, a, float(scale), plan, nthreads)
    # large: a reusable mapping (see _buffers; numba's own allocation would map
    # fresh 4 KiB pages, one fault each, on every call)
    out = _buffers.empty(a.shape, a.dtype)
    _parallel(_run_into, nthreads, a, out, float(scale), plan, nthreads)
    return out


def small_copier(dtype, size: int, scale: float = 1.0):
    """A function ``f(x) -> transformed copy`` for 1-D arrays of this dtype and size.

    For the call-overhead-bound sizes only (one thread): returns None when
    ``size`` elements are enough work to spread over threads.  ``x`` must be
    a writeable C-contiguous 1-D array of exactly this dtype and size; the
    caller checks that (the point is to skip every other check per call).
    """
    dtype = np.dtype(dtype)
    a = np.empty((1, size), dtype=dtype)
    plan, par_min = _PLANS.get((dtype.num, size)) or _new_plan(a)
    if size >= par_min:
        return None
    scale = float(scale)

    def copy(x):
        return _run_copy_1d(x, scale, plan, 1)

    # Load (or compile) the 1-D entry point now, inside the call that builds the
    # copier: otherwise the *second* fwht call of a size pays numba's cache load
    # (milliseconds) instead of the first.
    copy(np.zeros(size, dtype=dtype))
    return copy
