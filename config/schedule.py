"""The beat schedule, defined once in code.

After `migrate`, each entry is installed as a django-celery-beat row that staff can edit in the
admin (周期任务). Rows that exist are left alone, so staff edits survive restarts and upgrades.
"""

import json

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "每日栏目监测": {
        "task": "audits.tasks.scheduled_inspection",
        "schedule": crontab(hour=2, minute=0),
    },
    "每周链接检查": {
        "task": "audits.tasks.scheduled_inspection",
        "schedule": crontab(hour=3, minute=0, day_of_week=1),
        "kwargs": {"check_links": True},
    },
    # W-V2 availability: every 30 minutes = 48 probes a day per site, spread inside the slot.
    "首页可用性探测": {
        "task": "audits.tasks.probe_all",
        "schedule": crontab(minute="*/30"),
    },
    # A worker killed mid-run leaves sites unfinished; with Redis they are redelivered, with the
    # filesystem broker this puts them back in the queue.
    "恢复中断的监测任务": {
        "task": "audits.tasks.resume_stalled_runs",
        "schedule": crontab(minute="*/10"),
    },
    # Also reads the sites' public message lists (县长信箱 …).
    "新媒体订阅源读取": {
        "task": "audits.tasks.ingest_all_feeds",
        "schedule": crontab(minute=15, hour="*/6"),
    },
    # Reminders: the outbox is also delivered right after each event; this catches retries
    # and messages whose worker died while sending.
    "发送待发提醒": {
        "task": "audits.tasks.deliver_outbox",
        "schedule": crontab(minute="*"),
    },
    "整改时限提醒": {
        "task": "audits.tasks.remind_deadlines",
        "schedule": crontab(hour=8, minute=0),
    },
}


def schedule_install_defaults(**kwargs) -> int:
    """Create the missing schedule rows. Returns how many were created."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    created = 0
    for name, entry in BEAT_SCHEDULE.items():
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        schedule = CrontabSchedule.from_schedule(entry["schedule"])
        schedule.save()
        PeriodicTask.objects.create(
            name=name,
            task=entry["task"],
            crontab=schedule,
            kwargs=json.dumps(entry.get("kwargs", {})),
        )
        created += 1
    return created
