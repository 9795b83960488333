"""The Celery app. Tasks live in each app's tasks.py and call one service each (STYLE.md)."""

import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ramtid.settings")


class AuditedTask(Task):
    """Every write a task makes is attributed to the task in the audit trail."""

    def __call__(self, *args, **kwargs):
        from ramtid.audit import task_context

        with task_context(task_name=self.name, task_id=self.request.id):
            return super().__call__(*args, **kwargs)


app = Celery("ramtid", task_cls=AuditedTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
