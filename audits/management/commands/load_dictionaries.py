"""python manage.py load_dictionaries [--update] [--dry-run]

Loads the seed dictionaries shipped in audits/data/ (typos, gambling, porn and sensitive words,
the allow-list) into the database, where staff maintain them in the admin. Safe to run again:
entries are matched by (kind, word); by default an existing entry is left as staff may have
edited it, and --update overwrites its correction and note from the file.
"""

from django.core.management.base import BaseCommand, CommandError

from audits.content import DATA_DIR, KIND_LABELS, SEED_FILES
from audits.content.io import dictionary_import_text


class Command(BaseCommand):
    help = "导入 audits/data/ 中的种子词库（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--update", action="store_true", help="用文件内容覆盖已有条目的正确写法和说明"
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")
        parser.add_argument("--data-dir", default=str(DATA_DIR), help="种子词库目录")

    def handle(self, *args, update=False, dry_run=False, data_dir=str(DATA_DIR), **options):
        from pathlib import Path

        base = Path(data_dir)
        failed = False
        for name, kind in SEED_FILES.items():
            path = base / name
            if not path.exists():
                self.stdout.write(f"{name}: 没有该文件，跳过")
                continue
            result = dictionary_import_text(
                path.read_bytes(), kind, update_existing=update, dry_run=dry_run
            )
            if not result.ok:
                failed = True
                for error in result.errors:
                    self.stderr.write(f"{name} {error}")
                continue
            self.stdout.write(f"{name}（{KIND_LABELS[kind]}）：{result.summary()}")
        if failed:
            raise CommandError("部分词库有错误，未导入（其余文件已导入）")
        if dry_run:
            self.stdout.write("试运行：没有写入任何内容")
