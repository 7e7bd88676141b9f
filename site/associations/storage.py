"""Storage for association documents, kept out of the public media folder."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible(path="associations.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, never under MEDIA_ROOT, and with no URL.

    Documents are streamed by a view that checks permissions; a public URL would
    bypass it, so `url()` refuses.
    """

    def __init__(self) -> None:
        super().__init__()
        setting_changed.connect(self._reset_location)

    def _reset_location(self, *, setting: str, **kwargs) -> None:
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    @cached_property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    def url(self, name: str | None) -> str:
        raise ValueError("Private documents have no public URL.")


private_storage = PrivateStorage()
