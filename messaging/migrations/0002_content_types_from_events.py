"""The moved models' content types change app label (events -> messaging), so the permissions
attached to them (and every group or user holding one) survive the move."""

from django.db import migrations

MODELS = ["smsmessage", "inboundsms", "smsoptout", "smsreview", "smsratebucket", "smsconsent"]


def _relabel(apps, schema_editor, old, new):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        taken = content_type.objects.using(db).filter(app_label=new, model=model).exists()
        if not taken:
            content_type.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    _relabel(apps, schema_editor, "events", "messaging")


def backwards(apps, schema_editor):
    _relabel(apps, schema_editor, "messaging", "events")


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_sms_models_from_events"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
