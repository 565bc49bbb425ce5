"""Free-text survey answers move out of the plaintext `answers` JSON into encrypted columns, on
the log and on its revisions (whose `previous` snapshot held them too)."""

import json

from django.db import migrations

import backend.crypto

BATCH = 1000


def _free_text_codes(apps):
    Question = apps.get_model("canvass", "Question")
    codes = {}
    for script_id, code in Question.objects.filter(kind="free_text").values_list(
        "script_id", "code"
    ):
        codes.setdefault(script_id, set()).add(code)
    return codes


def _split(answers, codes):
    if not isinstance(answers, dict):
        return answers, {}
    free = {c: v for c, v in answers.items() if c in codes}
    return {c: v for c, v in answers.items() if c not in codes}, free


def _dump(free):
    return json.dumps(free, sort_keys=True, ensure_ascii=False) if free else ""


def _save(model, rows, fields):
    model.objects.bulk_update(rows, fields, batch_size=BATCH)
    rows.clear()


def encrypt_free_text_answers(apps, schema_editor):
    ConversationLog = apps.get_model("canvass", "ConversationLog")
    LogRevision = apps.get_model("canvass", "LogRevision")
    codes = _free_text_codes(apps)
    if not codes:
        return
    changed = []
    logs = (
        ConversationLog.objects.filter(script_id__in=list(codes))
        .exclude(answers={})
        .only("id", "script_id", "answers", "free_text_answers")
    )
    for log in logs.iterator(chunk_size=BATCH):
        kept, free = _split(log.answers, codes[log.script_id])
        if free:
            log.answers, log.free_text_answers = kept, _dump(free)
            changed.append(log)
        if len(changed) >= BATCH:
            _save(ConversationLog, changed, ["answers", "free_text_answers"])
    _save(ConversationLog, changed, ["answers", "free_text_answers"])
    revisions = LogRevision.objects.filter(log__script_id__in=list(codes)).select_related("log")
    for revision in revisions.only(
        "id", "previous", "previous_free_text_answers", "log__script_id"
    ).iterator(chunk_size=BATCH):
        previous = revision.previous if isinstance(revision.previous, dict) else {}
        kept, free = _split(previous.get("answers") or {}, codes[revision.log.script_id])
        if free:
            revision.previous = {**previous, "answers": kept}
            revision.previous_free_text_answers = _dump(free)
            changed.append(revision)
        if len(changed) >= BATCH:
            _save(LogRevision, changed, ["previous", "previous_free_text_answers"])
    _save(LogRevision, changed, ["previous", "previous_free_text_answers"])


def decrypt_free_text_answers(apps, schema_editor):
    """Back to plaintext answers (only for rolling this migration back)."""
    ConversationLog = apps.get_model("canvass", "ConversationLog")
    LogRevision = apps.get_model("canvass", "LogRevision")
    changed = []
    for log in ConversationLog.objects.only("id", "answers", "free_text_answers").iterator(
        chunk_size=BATCH
    ):
        if log.free_text_answers:
            log.answers = {**log.answers, **json.loads(log.free_text_answers)}
            log.free_text_answers = ""
            changed.append(log)
        if len(changed) >= BATCH:
            _save(ConversationLog, changed, ["answers", "free_text_answers"])
    _save(ConversationLog, changed, ["answers", "free_text_answers"])
    for revision in LogRevision.objects.only(
        "id", "previous", "previous_free_text_answers"
    ).iterator(chunk_size=BATCH):
        if revision.previous_free_text_answers:
            previous = dict(revision.previous)
            answers = {**(previous.get("answers") or {})}
            answers.update(json.loads(revision.previous_free_text_answers))
            revision.previous = {**previous, "answers": answers}
            revision.previous_free_text_answers = ""
            changed.append(revision)
        if len(changed) >= BATCH:
            _save(LogRevision, changed, ["previous", "previous_free_text_answers"])
    _save(LogRevision, changed, ["previous", "previous_free_text_answers"])


class Migration(migrations.Migration):
    dependencies = [
        ("canvass", "0003_change_stamp_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversationlog",
            name="free_text_answers",
            field=backend.crypto.EncryptedTextField(blank=True, db_default="", default=""),
        ),
        migrations.AddField(
            model_name="logrevision",
            name="previous_free_text_answers",
            field=backend.crypto.EncryptedTextField(blank=True, db_default="", default=""),
        ),
        migrations.RunPython(encrypt_free_text_answers, decrypt_free_text_answers),
    ]
