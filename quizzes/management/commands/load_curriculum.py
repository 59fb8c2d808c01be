from django.core.management.base import BaseCommand, CommandError

from quizzes.curriculum.loader import Loader
from quizzes.curriculum.schema import problems, read_lessons, read_vocabulary


class Command(BaseCommand):
    help = (
        "Load the curriculum shipped in quizzes/curriculum/ into a fresh installation (and, "
        "with --force, on a development machine). It publishes what it loads without "
        "review; on a live site use import_curriculum, which sends changes to review. Safe "
        "to run again: it changes nothing that is already up to date and skips what police "
        "edited or approved in the workspace."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Development machines only: also overwrite what police edited or approved.",
        )

    def handle(self, *args, force=False, **options):
        vocabulary, lessons = read_vocabulary(), read_lessons()
        found = problems(vocabulary, lessons)
        if found:
            raise CommandError("The curriculum files have problems:\n" + "\n".join(found))
        counts = Loader(force=force).load(vocabulary, lessons)
        totals = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        for (kind, outcome), number in sorted(counts.items()):
            totals[outcome] = totals.get(outcome, 0) + number
            if outcome != "unchanged":
                self.stdout.write(f"  {kind}: {number} {outcome}")
        self.stdout.write(
            self.style.SUCCESS(
                "Curriculum loaded: {created} created, {updated} updated, "
                "{unchanged} unchanged, {skipped} skipped (edited in the admin; "
                "--force overwrites them).".format(**totals)
            )
        )
