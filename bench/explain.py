"""`python -m bench.explain`: EXPLAIN ANALYZE of the analytics reads on the
seeded benchmark database.

Calls each analytics selector for the large organization as the endpoints
do, records the SQL it runs, and prints the plan of every statement with its
timing, and the selector's own time. Run it before and after a schema change
to show what the change did.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta

from bench import seed
from bench.server import production_environment
from procure_site import clock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.explain")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", seed.DEFAULT_DATABASE),
    )
    parser.add_argument(
        "--only", help="one of contract-usage, usage-trend, inactive-users, renewals"
    )
    parser.add_argument(
        "--repeats", type=int, default=5, help="selector calls to time (median)"
    )
    args = parser.parse_args(argv)
    os.environ.update(
        production_environment(database_url=args.database_url, workers=None)
    )
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Organization
    from analytics.selectors import inactive_users, renewals, trend, usage

    organization = Organization.objects.get(domain_name=seed.DOMAINS[0])
    today = clock.today()
    previous_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    reads = {
        "contract-usage": lambda: usage.contract_usage(
            organization=organization, month=previous_month
        ),
        "usage-trend": lambda: trend.contract_usage_trend(
            organization=organization, months=12
        ),
        "inactive-users": lambda: inactive_users.contract_inactive_users(
            organization=organization, days=30
        ),
        "renewals": lambda: renewals.contract_renewals(
            organization=organization, within_days=90
        ),
    }
    for name, read in reads.items():
        if args.only and name != args.only:
            continue
        read()  # warm the caches as a running service has them
        timings = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            read()
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            read()
        print(f"=== {name}: selector median {statistics.median(timings):.1f} ms")
        for query in captured.captured_queries:
            statement = query["sql"]
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            print(f"--- {statement}")
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")
                for (line,) in cursor.fetchall():
                    print(line)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
