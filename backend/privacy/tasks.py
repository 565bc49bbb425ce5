from celery import shared_task

from backend.privacy.services import retention_purge


@shared_task(name="privacy.retention_purge")
def retention_purge_task() -> dict[str, dict[str, int]]:
    return retention_purge()
