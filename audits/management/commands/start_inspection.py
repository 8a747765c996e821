import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from audits.services.runs import run_start
from units.models import Unit, Website


class Command(BaseCommand):
    help = "发起一次监测任务（交给 Celery worker 执行）。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="单位名称（默认全部）")
        parser.add_argument("--website", type=int, help="网站编号")
        parser.add_argument("--as-of", help="监测时间点 YYYY-MM-DD（默认今天）")
        parser.add_argument(
            "--period",
            default="",
            help="检查周期：2026-11、2026Q4、2026 或 2020-11-24~2021-02-22（默认监测时间点所在月份）",
        )

    def handle(self, unit=None, website=None, as_of=None, period="", **options):
        try:
            point = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError(f"--as-of {as_of!r}：日期格式应为 YYYY-MM-DD") from None
        try:
            unit_obj = Unit.objects.get(name=unit) if unit else None
            site_obj = Website.objects.get(pk=website) if website else None
        except (Unit.DoesNotExist, Website.DoesNotExist) as exc:
            raise CommandError(str(exc)) from None
        try:
            run = run_start(
                trigger="command",
                monitoring_point=point,
                period=period or None,
                unit=unit_obj,
                website=site_obj,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"监测任务 #{run.pk} 已排队（监测时间点 {run.monitoring_point}）")
