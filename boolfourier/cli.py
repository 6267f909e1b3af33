"""The ``boolfourier`` command line (also ``python -m boolfourier``).

Every command has ``--help``.  Heavy modules are imported inside the command
that needs them, so ``boolfourier --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main", "build_parser"]


def _cmd_demo(args) -> int:
    from .experiments.demo import run_demo

    run_demo(args.out, quiet=args.quiet)
    return 0


def _cmd_analyze(args) -> int:
    import json

    from .report import analyze_report, format_report

    report = analyze_report(args.expr, n=args.n, top=args.top, rho=args.rho)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def _cmd_interpolate(args) -> int:
    import json

    from .interpolation import format_interpolate_report, interpolate_report

    report = interpolate_report(args.expr, unseen=args.unseen, n=args.n, method=args.method)
    print(json.dumps(report, indent=2) if args.json else format_interpolate_report(report))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="boolfourier",
        description="Fourier analysis of Boolean functions and GOTU experiments.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    demo = sub.add_parser(
        "demo",
        help="run the built-in demo (a quick GOTU experiment: ~15 s of training on a 2-core CPU)",
        description=(
            "Train the quick MLP on f = x0*x1 in n = 15 without ever showing it the points with "
            "x0 = x1 = -1; print the learned coefficients of 1, x0, x1, x0*x1 next to the "
            "min-degree interpolator's (-1, 1, 1, 0) and the target's, and save a PNG of their "
            "trajectories."
        ),
    )
    demo.add_argument("--out", default="runs/demo", help="run directory (default: runs/demo)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar or table")
    demo.set_defaults(func=_cmd_demo)

    analyze = sub.add_parser(
        "analyze",
        help="Fourier analysis of a function given as an expression",
        description=(
            "Print the Fourier coefficients, degree profile W^k, influences, total influence "
            "and noise stability of a function on {-1,1}^n given as an expression, e.g. "
            "'x0*x1 - 1.25*x1*x2 + 1.5*x2*x0', 'majority(x0, x1, x2)', 'cyclic(3, n=15)'."
        ),
    )
    analyze.add_argument("expr", help="the function, as a (quoted) expression")
    analyze.add_argument(
        "--n", type=int, default=None, help="number of variables (default: the expression's own)"
    )
    analyze.add_argument("--top", type=int, default=10, help="how many coefficients to list")
    analyze.add_argument(
        "--rho",
        type=float,
        nargs="+",
        default=[0.5, 0.9],
        help="correlations at which to report the noise stability (default: 0.5 0.9)",
    )
    analyze.add_argument("--json", action="store_true", help="print JSON for machines")
    analyze.set_defaults(func=_cmd_analyze)

    from .interpolation import METHODS

    interp = sub.add_parser(
        "interpolate",
        help="the min-degree interpolator of a function on a seen domain",
        description=(
            "Compute the min-degree interpolator (MDI) of a target on the seen part of "
            "{-1,1}^n: print it as a polynomial, its degree profile next to the target's, the "
            "GOTU errors (MSE on the unseen set and on the cube, sign error on the unseen set), "
            "the method used and the time."
        ),
        epilog=(
            "example: boolfourier interpolate 'x0*x1' --n 15 --unseen 'x0 == -1 and x1 == -1'"
        ),
    )
    interp.add_argument("expr", help="the target, as a (quoted) expression")
    interp.add_argument(
        "--unseen", required=True, help="predicate of the unseen set, e.g. 'x0 == -1 and x1 == -1'"
    )
    interp.add_argument(
        "--n", type=int, default=None,
        help="number of variables (default: 1 + the largest coordinate the expressions use; "
             "required when the unseen predicate reads every coordinate, e.g. weight(x))",
    )
    interp.add_argument(
        "--method",
        choices=METHODS,
        default="auto",
        help="solver (default auto: the fastest exact path that applies)",
    )
    interp.add_argument("--json", action="store_true", help="print JSON for machines")
    interp.set_defaults(func=_cmd_interpolate)

    from .experiments.cli_gotu import add_gotu_parser

    add_gotu_parser(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `boolfourier ... | head`: the reader left, which is fine
        sys.stderr.close()
        return 0
    except ModuleNotFoundError as err:
        extra = {"torch": "torch", "matplotlib": "plot", "tqdm": "torch"}.get((err.name or "").split(".")[0])
        if extra is None:
            raise
        print(f"boolfourier {args.command}: error: this needs {err.name}; install it with "
              f"pip install 'boolfourier[{extra}]' (or pip install -e '.[torch,plot]' in a checkout)",
              file=sys.stderr)
        return 2
    except (ValueError, TypeError, MemoryError) as err:
        # Bad input (an unparsable expression, an impossible n, ...): one clear line, no trace.
        print(f"boolfourier {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
