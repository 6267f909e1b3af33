"""The ``boolfourier`` command line (also ``python -m boolfourier``).

Every command has ``--help``.  Heavy modules are imported inside the command
that needs them, so ``boolfourier --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main", "build_parser"]

DEMO_N = 15
DEMO_EXPR = "x0*x1 - 1.25*x1*x2 + 1.5*x2*x0"


def _cmd_demo(args) -> int:
    import numpy as np

    from . import cube, fwht

    n = DEMO_N
    x = cube.points(n).astype(np.float64)
    values = x[:, 0] * x[:, 1] - 1.25 * x[:, 1] * x[:, 2] + 1.5 * x[:, 2] * x[:, 0]
    coeffs = fwht(values, norm="forward")
    profile = np.bincount(cube.degrees(n), weights=coeffs**2, minlength=n + 1)
    print(f"f1 = {DEMO_EXPR}   (n = {n}, the GOTU paper's threesym task)")
    print("degree profile W^k:", {k: round(float(w), 6) for k, w in enumerate(profile) if w > 1e-12})
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="boolfourier",
        description="Fourier analysis of Boolean functions and GOTU experiments.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    demo = sub.add_parser(
        "demo", help="run the built-in demo", description="Analyse the GOTU paper's f1 in n = 15."
    )
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
