import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from dashboard.demo import DEMO_PARTS, DEMO_PASSWORD, demo_load
from sitefarm.generate import generate_county


class Command(BaseCommand):
    help = "载入示范县：由本地站点模拟器（site farm）提供的网站、栏目和新媒体账号。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--sites", type=int, default=40)
        parser.add_argument("--columns", type=int, default=12)
        parser.add_argument("--port", type=int, default=8800)
        parser.add_argument("--today", help="YYYY-MM-DD，默认今天")

    def handle(self, seed, sites, columns, port, today=None, **options):
        day = dt.date.fromisoformat(today) if today else timezone.localdate()
        farm = generate_county(
            seed=seed, n_sites=sites, columns_per_site=columns, today=day, **DEMO_PARTS
        )
        counts = demo_load(farm, port)
        self.stdout.write(
            f"示范县已载入：{counts['units']} 个单位，{counts['websites']} 个网站，"
            f"{counts['columns']} 个栏目，{counts['accounts']} 个政务新媒体账号。"
            f"登录密码均为 {DEMO_PASSWORD}"
        )
