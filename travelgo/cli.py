"""Command line: `python -m travelgo.cli migrate | seed [--if-empty] | check-inventory | reconcile | serve`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

from .config import Settings


async def _with_pool(settings: Settings, coro_factory):
    from . import db

    await db.open_pools(settings.database_url, size=4)
    try:
        return await coro_factory()
    finally:
        await db.close_pools()


def args_for_serve(parser: argparse.ArgumentParser) -> None:
    from . import serve

    serve.add_arguments(parser)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="travelgo")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create the database if missing and apply migrations")
    seed = sub.add_parser("seed", help="replace the sample data")
    seed.add_argument("--if-empty", action="store_true", help="only when the database has no cities yet")
    seed.add_argument("--scale", default=os.environ.get("SEED_SCALE", "normal"), choices=["small", "normal", "large"])
    sub.add_parser("check-inventory", help="verify the inventory invariants; non-zero exit on any breach")
    sub.add_parser("reconcile", help="compare the payment provider's records with ours; non-zero exit on a mismatch")
    serve_parser = sub.add_parser("serve", help="run Hypercorn's workers; refuses an address something answers on")
    args_for_serve(serve_parser)
    args = parser.parse_args(argv)

    if args.command == "serve":  # the workers read the settings themselves
        from . import serve

        return serve.run(args)

    settings = Settings.from_env()

    if args.command == "migrate":
        from .migrations import migrate

        applied = asyncio.run(migrate(settings.database_url))
        print(f"migrations applied: {', '.join(applied) if applied else 'none (up to date)'}")
        return 0

    if args.command == "seed":
        from . import seed as seeding

        async def run():
            if args.if_empty and not await seeding.is_empty():
                print("sample data present; not reseeding (make seed replaces it)")
                return
            started = time.perf_counter()
            counts = await seeding.seed(scale=args.scale, admin_password=settings.admin_password)
            summary = ", ".join(f"{k}={v}" for k, v in counts.items())
            print(f"seeded ({args.scale}) in {time.perf_counter() - started:.1f}s: {summary}")

        asyncio.run(_with_pool(settings, run))
        return 0

    if args.command == "check-inventory":
        from .bookings.integrity import check_inventory

        problems = asyncio.run(_with_pool(settings, check_inventory))
        for problem in problems:
            print(f"BREACH: {problem}")
        print("inventory OK" if not problems else f"{len(problems)} breach(es) found")
        return 1 if problems else 0

    if args.command == "reconcile":
        from . import payments
        from .checkout.reconcile import reconcile

        provider = payments.build(settings)
        problems = asyncio.run(_with_pool(settings, lambda: reconcile(provider)))
        for problem in problems:
            print(f"MISMATCH: {problem}")
        print("payments reconcile" if not problems else f"{len(problems)} mismatch(es) found")
        return 1 if problems else 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
