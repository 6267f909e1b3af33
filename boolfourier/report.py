"""The analysis report behind ``boolfourier analyze``: one dict for machines, one text for people.

:func:`analyze_report` computes the spectrum of a function once and collects
its coefficients, degree profile, influences, total influence and noise
stability into a JSON-serialisable dict; :func:`format_report` renders that
dict as text.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .cube import monomial_name
from .function import BooleanFunction
from .spectrum import Spectrum

__all__ = ["analyze_report", "format_report"]


def analyze_report(
    func, n: int | None = None, *, top: int = 10, rho=(0.5, 0.9), tol: float = 1e-12
) -> dict:
    r"""Fourier analysis of one function as a JSON-serialisable dict.

    Parameters
    ----------
    func : BooleanFunction, Spectrum, str or array_like
        The function: an object, an expression (``"x0*x1 + x2"``, parsed
        safely; ``n`` defaults to the expression's own), or values of shape
        ``(2**n,)`` in index order.
    n : int, optional
        Number of variables for an expression.
    top : int
        Number of largest coefficients to list.
    rho : float or iterable of float
        Correlations at which to report the noise stability
        :math:`\mathrm{Stab}_\rho = \sum_k \rho^k W^k`.
    tol : float
        Coefficients with absolute value at most ``tol`` count as zero.

    Returns
    -------
    dict
        Keys: ``n``, ``expression`` (or None), ``mean``, ``second_moment``
        (:math:`E f^2`), ``variance``, ``degree``, ``sparsity``,
        ``is_boolean`` (None when only the spectrum is known),
        ``polynomial`` (at most 20 terms), ``top_coefficients`` (list of
        ``{"monomial", "mask", "coefficient"}``), ``degree_profile``
        (``W^0..W^n``), ``influences``, ``total_influence``,
        ``noise_stability`` (list of ``{"rho", "value"}``) and
        ``relevant_variables`` (the coordinates of the monomials with a
        coefficient above ``tol``: those of ``polynomial``).

    Examples
    --------
    >>> r = analyze_report("x0*x1 + x2", top=2)
    >>> r["degree_profile"], r["influences"], r["total_influence"]
    ([0.0, 1.0, 1.0, 0.0], [1.0, 1.0, 1.0], 3.0)
    >>> r["top_coefficients"][0]  # ties: the smaller mask first
    {'monomial': 'x0*x1', 'mask': 3, 'coefficient': 1.0}
    """
    expression = None
    if isinstance(func, str):
        expression = func
        func = BooleanFunction.from_expression(func, n)
    elif not isinstance(func, (BooleanFunction, Spectrum)):
        func = BooleanFunction(func, n)
    if isinstance(func, BooleanFunction):
        spec, is_boolean = func.spectrum(), func.is_boolean
    else:
        spec, is_boolean = func, None
    rhos = [float(rho)] if not isinstance(rho, Iterable) else [float(r) for r in rho]
    prof = spec.degree_profile()
    if not np.isfinite(prof).all():
        raise ValueError("the function's squared values overflow float64 (the second moment is inf); "
                         "rescale it")
    return {
        "n": spec.n,
        "expression": expression,
        "mean": spec.mean,
        "second_moment": float(prof.sum()),
        "variance": spec.variance,
        "degree": spec.degree(tol),
        "sparsity": spec.sparsity(tol),
        "is_boolean": is_boolean,
        "polynomial": spec.to_polynomial_string(tol=tol, max_terms=20),
        "top_coefficients": [
            {"monomial": monomial_name(m), "mask": m, "coefficient": v} for m, v in spec.top(top, tol)
        ],
        "degree_profile": [float(w) for w in prof],
        "influences": [float(v) for v in spec.influences()],
        "total_influence": spec.total_influence(),
        "noise_stability": [{"rho": r, "value": spec.noise_stability(r)} for r in rhos],
        "relevant_variables": _support_variables(spec.coefficients, tol),
    }


def _support_variables(c: np.ndarray, tol: float) -> list[int]:
    """Coordinates ``i`` with ``|c[S]| > tol`` for some ``S`` containing ``i``.

    (Not ``Inf_i > tol``: influences are squares of coefficients, so ``1e-7*x0``
    had degree 1 and no relevant variable.)
    """
    big = np.abs(c) > tol
    n = c.shape[0].bit_length() - 1
    return [i for i in range(n) if big.reshape(-1, 2, 1 << i)[:, 1, :].any()]


def _num(x: float) -> str:
    return f"{x:.6g}"


def format_report(report: dict) -> str:
    """Render :func:`analyze_report`'s dict as plain text for a terminal.

    Examples
    --------
    >>> print(format_report(analyze_report("x0*x1 + x2", top=2)))  # doctest: +NORMALIZE_WHITESPACE
    f = x0*x1 + x2  (n = 3)
    polynomial:       x2 + x0*x1
    mean:             0
    E f^2:            2
    variance:         2
    degree:           2
    nonzero coeffs:   2
    top coefficients:
      x0*x1                               1
      x2                                  1
    degree profile W^k:
      k=0: 0  k=1: 1  k=2: 1  k=3: 0
    influences Inf_i:
      x0: 1  x1: 1  x2: 1
    total influence:  3
    noise stability:  rho=0.5: 0.75  rho=0.9: 1.71
    """
    lines = []
    head = f"f = {report['expression']}" if report.get("expression") else "f"
    lines.append(f"{head}  (n = {report['n']})")
    lines.append(f"polynomial:       {report['polynomial']}")
    lines.append(f"mean:             {_num(report['mean'])}")
    lines.append(f"E f^2:            {_num(report['second_moment'])}")
    lines.append(f"variance:         {_num(report['variance'])}")
    lines.append(f"degree:           {report['degree']}")
    lines.append(f"nonzero coeffs:   {report['sparsity']}")
    if report["top_coefficients"]:
        lines.append("top coefficients:")
        for t in report["top_coefficients"]:
            lines.append(f"  {t['monomial']:<24s} {t['coefficient']:>12.6g}")

    def row(items, per_line=6):
        return ["  " + "  ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]

    lines.append("degree profile W^k:")
    lines += row([f"k={k}: {_num(w)}" for k, w in enumerate(report["degree_profile"])])
    if report["influences"]:
        lines.append("influences Inf_i:")
        lines += row([f"x{i}: {_num(v)}" for i, v in enumerate(report["influences"])])
    lines.append(f"total influence:  {_num(report['total_influence'])}")
    stab = "  ".join(f"rho={_num(s['rho'])}: {_num(s['value'])}" for s in report["noise_stability"])
    lines.append(f"noise stability:  {stab}")
    return "\n".join(lines)
