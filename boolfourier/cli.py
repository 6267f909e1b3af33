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
    from .report import analyze_report, format_report

    print("The GOTU paper's f1 (threesym task):")
    print(format_report(analyze_report(DEMO_EXPR, n=DEMO_N, top=5)))
    return 0


def _cmd_analyze(args) -> int:
    import json

    from .report import analyze_report, format_report

    report = analyze_report(args.expr, n=args.n, top=args.top, rho=args.rho)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
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
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, MemoryError) as err:
        # Bad input (an unparsable expression, an impossible n, ...): one clear line, no trace.
        print(f"boolfourier {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
