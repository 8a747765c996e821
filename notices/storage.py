"""Write-once file storage for published circulars: a name is never reused, a file is never
overwritten or deleted through the application. Files live under MEDIA_ROOT/published, which
the web server does not serve: downloads go through the notices views."""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class WriteOnceStorage(FileSystemStorage):
    # Read the setting on every use (tests move MEDIA_ROOT).
    @property
    def base_location(self):
        return Path(settings.MEDIA_ROOT) / "published"

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    @property
    def file_permissions_mode(self):
        return 0o444  # read-only on disk too

    def get_available_name(self, name, max_length=None):
        if self.exists(name):
            raise FileExistsError(f"已发布的文件不能覆盖：{name}")
        return name

    def _save(self, name, content):
        # FileSystemStorage opens with O_EXCL, so a race to one name fails rather than replaces.
        if self.exists(name):
            raise FileExistsError(f"已发布的文件不能覆盖：{name}")
        return super()._save(name, content)

    def delete(self, name):
        raise PermissionError(f"已发布的文件不能删除：{name}")


write_once_storage = WriteOnceStorage()
