from celery import shared_task

from backend.db import partitions
from backend.privacy.services import retention_purge


@shared_task(name="privacy.retention_purge")
def retention_purge_task() -> dict[str, dict[str, int]]:
    return retention_purge()


@shared_task(name="partitions.ensure")
def partitions_ensure_task() -> dict[str, list[str]]:
    return partitions.partitions_ensure_all()
