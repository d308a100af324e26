"""`python -m sandbox`: serve the Puffle sandbox on loopback."""

from __future__ import annotations

import argparse

from sandbox.seeds import ALL_SEEDS, seed_of
from sandbox.server import check_port, check_speed, parse_latency, serve


def _workspace(name: str) -> str:
    try:
        seed_of(name)
    except KeyError as exc:
        raise argparse.ArgumentTypeError(str(exc.args[0])) from None
    return name


def _latency(text: str) -> tuple[float, float]:
    try:
        return parse_latency(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _speed(text: str) -> float:
    try:
        return check_speed(float(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _port(text: str) -> int:
    try:
        return check_port(int(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_port, default=8765)
    parser.add_argument("--speed", type=_speed, default=1.0, help="sandbox clock speed factor")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="RULE",
        help="e.g. 'POST /api/campaigns/{campaign_id}/launch#2=500;retry_after=7' (repeatable)",
    )
    parser.add_argument(
        "--seed",
        action="append",
        type=_workspace,
        help=f"workspace to seed: one of {', '.join(ALL_SEEDS)}, or a copy such as demo-2 "
        "(repeatable; default: every seed once)",
    )
    parser.add_argument("--db", default=":memory:", help="SQLite file; default in memory")
    parser.add_argument(
        "--latency",
        type=_latency,
        metavar="LOW-HIGH",
        help="seconds each request takes, drawn uniformly, e.g. 0.05-0.2 (default none)",
    )
    args = parser.parse_args(argv)

    serve(
        host=args.host,
        port=args.port,
        speed=args.speed,
        faults=args.fault,
        seeds=args.seed or ALL_SEEDS,
        db_path=args.db,
        latency=args.latency,
    )


if __name__ == "__main__":
    main()
