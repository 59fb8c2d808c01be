import json
import sys

from django.core.management.base import BaseCommand, CommandError

from quizzes.curriculum.bundle import export_bundle
from quizzes.models import Lesson


class Command(BaseCommand):
    help = "Export the curriculum (or some lessons) as a versioned JSON bundle."

    def add_arguments(self, parser):
        parser.add_argument("--lesson", action="append", default=[], help="Lesson slug.")
        parser.add_argument("-o", "--output", help="File to write (default: stdout).")

    def handle(self, *args, lesson, output, **options):
        lessons = None
        if lesson:
            lessons = Lesson.objects.filter(slug__in=lesson)
            missing = set(lesson) - set(lessons.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No lesson with slug {', '.join(sorted(missing))}.")
        text = json.dumps(export_bundle(lessons), ensure_ascii=False, indent=1)
        if output:
            with open(output, "w", encoding="utf-8") as fp:
                fp.write(text)
            self.stderr.write(f"Wrote {output}.")
        else:
            sys.stdout.write(text + "\n")
