"""`python -m sandbox`: serve the Puffle sandbox on loopback."""

from __future__ import annotations

import argparse

from sandbox.seeds import ALL_SEEDS
from sandbox.server import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--speed", type=float, default=1.0, help="sandbox clock speed factor")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="RULE",
        help="e.g. 'POST /api/campaigns/{campaign_id}/launch#2=500;retry_after=7' (repeatable)",
    )
    parser.add_argument(
        "--seed", action="append", choices=ALL_SEEDS, help="workspaces to seed (default: all)"
    )
    parser.add_argument("--db", default=":memory:", help="SQLite file; default in memory")
    args = parser.parse_args(argv)

    serve(
        host=args.host,
        port=args.port,
        speed=args.speed,
        faults=args.fault,
        seeds=args.seed or ALL_SEEDS,
        db_path=args.db,
    )


if __name__ == "__main__":
    main()
