import getpass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from quizzes.roles import ROLES


class Command(BaseCommand):
    help = "Create a police account for the workspace (the admin) in one role."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLES))
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, email, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"There is already an account called {username!r}.")
        user = User(username=username, email=email, is_staff=True)
        password = self.ask_password(user)
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=ROLES[role][0]))
        self.stdout.write(
            self.style.SUCCESS(f"Created {username!r} in {ROLES[role][0]}; log in at /admin/.")
        )

    def ask_password(self, user):
        for _ in range(3):
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The passwords do not match.")
                continue
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return password
        raise CommandError("No acceptable password given.")
