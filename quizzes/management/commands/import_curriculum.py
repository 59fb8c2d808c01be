from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.curriculum.bundle import BundleError, import_bundle, read_bundle


class Command(BaseCommand):
    help = (
        "Import a curriculum bundle. Shows a dry run (created, changed, unchanged) first; "
        "--yes writes it, all in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("bundle", help="Path of the JSON bundle.")
        parser.add_argument("--yes", action="store_true", help="Write after the dry run.")

    def handle(self, *args, bundle, yes, **options):
        try:
            data = read_bundle(Path(bundle).read_bytes())
        except OSError as error:
            raise CommandError(str(error)) from None
        except BundleError as error:
            raise CommandError(
                "The bundle has problems; nothing was written:\n  " + "\n  ".join(error.problems)
            ) from None
        summary, counts = import_bundle(data, dry_run=True)
        self.report("Dry run", summary, counts)
        if not yes:
            self.stdout.write("Nothing written. Run again with --yes to import.")
            return
        summary, counts = import_bundle(data)
        self.report("Imported", summary, counts)

    def report(self, title, summary, counts):
        for (kind, outcome), number in sorted(counts.items()):
            if outcome != "unchanged":
                self.stdout.write(f"  {kind}: {number} {outcome}")
        self.stdout.write(
            self.style.SUCCESS(
                "{title}: {created} created, {changed} changed, {unchanged} unchanged.".format(
                    title=title, **summary
                )
            )
        )
