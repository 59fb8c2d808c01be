import datetime
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from quizzes import retention, stats


class Command(BaseCommand):
    help = (
        "Recompute the statistics dashboard for the usual ranges (all time, last 30 and "
        "90 days) and the retention statistics, so officers never wait for them. Run it "
        "from cron every minute."
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        for start in (
            None,
            today - datetime.timedelta(days=30),
            today - datetime.timedelta(days=90),
        ):
            started = time.perf_counter()
            stats.dashboard(start, None, fresh=True)
            label = "all time" if start is None else f"since {start}"
            self.stdout.write(f"{label}: {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        retention.dashboard(fresh=True)
        self.stdout.write(f"retention: {time.perf_counter() - started:.2f} s")
