"""The beat schedule, defined once. django-celery-beat copies it into editable rows."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "daily-column-inspection": {
        "task": "audits.tasks.scheduled_inspection",
        "schedule": crontab(hour=2, minute=0),
        "kwargs": {"scope": "all"},
    },
}
