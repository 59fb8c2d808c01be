import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from quizzes.curriculum.bundle import BundleError, import_bundle, read_bundle
from quizzes.models import Import


class Command(BaseCommand):
    help = (
        "Import a curriculum bundle for review. Shows a dry run (created, changed, "
        "unchanged) first; --yes --as OFFICER writes it, all in one transaction, with that "
        "officer as the author. Nothing is published: new items arrive in review and "
        "changes to published content become revisions that another officer approves."
    )

    def add_arguments(self, parser):
        parser.add_argument("bundle", help="Path of the JSON bundle.")
        parser.add_argument("--yes", action="store_true", help="Write after the dry run.")
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            help="The police account importing (needs the import permission).",
        )

    def handle(self, *args, bundle, yes, username, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or not user.has_perm("quizzes.import_content"):
            raise CommandError(f"{username!r} is not an officer who may import.")
        try:
            data = read_bundle(Path(bundle).read_bytes())
            summary, counts = import_bundle(data, user, dry_run=True)
            self.report("Dry run", summary, counts)
            if not yes:
                self.stdout.write("Nothing written. Run again with --yes to import.")
                return
            with transaction.atomic():
                summary, counts = import_bundle(data, user)
                Import.objects.create(nonce=secrets.token_hex(16), user=user, summary=summary)
        except OSError as error:
            raise CommandError(str(error)) from None
        except BundleError as error:
            raise CommandError(
                "The bundle has problems; nothing was written:\n  " + "\n  ".join(error.problems)
            ) from None
        self.report("Imported", summary, counts)

    def report(self, title, summary, counts):
        for (kind, outcome), number in sorted(counts.items()):
            if outcome != "unchanged":
                self.stdout.write(f"  {kind}: {number} {outcome}")
        self.stdout.write(
            self.style.SUCCESS(
                "{title}: {created} created, {changed} changed, {unchanged} unchanged "
                "(changes wait for another officer's approval).".format(title=title, **summary)
            )
        )
