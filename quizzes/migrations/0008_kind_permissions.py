from django.contrib.auth.management import create_permissions
from django.db import migrations

from quizzes.roles import KIND_PERMISSIONS


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in KIND_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(
            content_type__app_label="quizzes", codename__in=codenames
        )
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        assert not missing, f"unknown permissions for {name}: {missing}"
        group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in KIND_PERMISSIONS.items():
        group = apps.get_model("auth", "Group").objects.filter(name=name).first()
        if group:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="quizzes", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0007_conversation_questions")]

    operations = [migrations.RunPython(grant, revoke)]
