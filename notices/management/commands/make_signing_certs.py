"""manage.py make_signing_certs: demo certificates for signing circulars."""

import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from notices.signing import (
    SigningError,
    demo_passphrase_file,
    make_demo_certificates,
    write_demo_passphrase,
)

HELP = """为演示环境生成签名证书：一个自签名的演示根证书（ca.pem）和由它签发的单位证书（office.p12）。

默认写到设置项指定的位置：GOVWATCH_SIGNING_P12（单位证书）和 GOVWATCH_SIGNING_TRUST_ROOTS 的第一项
（根证书）；--dir 则把两者写到该目录下的 office.p12 与 ca.pem。已有文件不会被覆盖，除非加 --force。

口令：取环境变量 GOVWATCH_SIGNING_PASSPHRASE。未设置时（仅限演示）会生成一个随机口令，写到
office.p12 旁边的 office.p12.passphrase（权限 0600），load_office_signer 在口令设置为空时读取它。
生产环境请使用正式签发的单位证书，并通过环境变量提供口令，不要使用这个口令文件。"""


class Command(BaseCommand):
    help = HELP

    def add_arguments(self, parser):
        parser.add_argument(
            "--office", default="", help="单位名称（证书的 CN 和 O），默认“演示单位”"
        )
        parser.add_argument("--dir", default="", help="写入的目录（默认按设置项的路径）")
        parser.add_argument("--force", action="store_true", help="覆盖已有的证书文件")

    def handle(self, *args, office, dir, force, **options):
        office = office.strip() or "演示单位"
        if dir:
            p12 = Path(dir) / "office.p12"
            ca = Path(dir) / "ca.pem"
        else:
            p12 = Path(settings.GOVWATCH_SIGNING_P12)
            roots = list(settings.GOVWATCH_SIGNING_TRUST_ROOTS)
            ca = Path(roots[0]) if roots else p12.with_name("ca.pem")
        passphrase = settings.GOVWATCH_SIGNING_PASSPHRASE
        demo = not passphrase
        if demo:
            passphrase = secrets.token_urlsafe(24)
        try:
            made = make_demo_certificates(
                p12.parent,
                office_name=office,
                passphrase=passphrase,
                force=force,
                ca_path=ca,
                p12_path=p12,
            )
        except SigningError as exc:
            raise CommandError(str(exc)) from exc
        if not made.created:
            self.stdout.write(
                f"证书已存在，未作改动：{made.office_p12}、{made.ca_pem}（加 --force 重新生成）"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"已生成单位证书：{made.office_p12}（单位：{office}）")
        )
        self.stdout.write(self.style.SUCCESS(f"已生成演示根证书：{made.ca_pem}"))
        if demo:
            generated = write_demo_passphrase(p12, passphrase)
            self.stdout.write(
                f"未设置 GOVWATCH_SIGNING_PASSPHRASE，已生成随机口令并写入 {generated}（权限 0600，仅供演示）"
            )
        elif demo_passphrase_file(p12).exists():
            demo_passphrase_file(p12).unlink()
            self.stdout.write("已删除旧的演示口令文件：口令取自 GOVWATCH_SIGNING_PASSPHRASE")
        if ca.resolve() not in {Path(r).resolve() for r in settings.GOVWATCH_SIGNING_TRUST_ROOTS}:
            self.stdout.write(
                self.style.WARNING(
                    f"注意：{ca} 不在 GOVWATCH_SIGNING_TRUST_ROOTS 中，验证页面不会信任它"
                )
            )
