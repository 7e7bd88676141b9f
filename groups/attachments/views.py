"""Room images over HTTP: the upload (JSON answers for the room's page) and the files.

The files are sent by these views only, to whoever may enter the room; they have no
public URL. Each answer is private to the browser that asked and is never sniffed as
anything but the image type we wrote.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from ..services.errors import RoomError
from ..services.room import room_access
from . import selectors, services
from .images import ImageRefused, too_big

# A multipart body carries the caption and boundaries besides the file.
BODY_OVERHEAD = 64 * 1024

REFUSAL_STATUS = {
    "4401": 401,
    "4403": 403,
    "4404": 404,
    "muted": 403,
    "rate_limited": 429,
    "too_big": 413,
    "too_many_pixels": 413,
}


class UploadLimit(FileUploadHandler):
    """Stops keeping a file once it passes the limit, whatever the request claimed."""

    def __init__(self, request: HttpRequest, *, limit: int) -> None:
        super().__init__(request)
        self.limit, self.received, self.exceeded = limit, 0, False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise SkipFile  # the rest of this file is read and thrown away, not kept
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the file


def _refusal(error: RoomError | ImageRefused) -> JsonResponse:
    return JsonResponse(
        {"code": error.code, "error": error.message}, status=REFUSAL_STATUS.get(error.code, 400)
    )


@csrf_exempt  # checked by `_upload`, once the size limit is in place (Django's order)
@login_required
@require_POST
def room_attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Post an image, with an optional caption, as a message of the room."""
    max_bytes = settings.GROUPS_ROOM_ATTACHMENT_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes + BODY_OVERHEAD:
        # Refused before a byte of the body is read.
        return _refusal(too_big(max_bytes))
    limit = UploadLimit(request, limit=max_bytes)
    request.upload_handlers.insert(0, limit)
    return _upload(request, pk, limit)


@csrf_protect
def _upload(request: HttpRequest, pk: int, limit: UploadLimit) -> HttpResponse:
    max_bytes = settings.GROUPS_ROOM_ATTACHMENT_MAX_BYTES
    upload = request.FILES.get("image")
    try:
        if limit.exceeded:
            raise too_big(max_bytes)
        posted = services.room_attachment_post(
            group_id=pk, actor=request.user, upload=upload, caption=request.POST.get("caption", "")
        )
    except (RoomError, ImageRefused) as exc:
        return _refusal(exc)
    return JsonResponse(
        {"seq": posted.message.seq, "message": posted.frame, "notice": _("Image sent.")},
        status=201,
    )


def _serve(request: HttpRequest, pk: int, attachment_pk: int, *, thumbnail: bool) -> FileResponse:
    try:
        access = room_access(group_id=pk, actor=request.user)
    except RoomError as exc:
        raise Http404(exc.message) from exc
    attachment = selectors.room_attachment_visible(access=access, attachment_id=attachment_pk)
    if attachment is None:
        raise Http404(_("This image is not available."))
    field = attachment.thumbnail if thumbnail else attachment.image
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404(_("This image is not available.")) from None
    response = FileResponse(handle, content_type=attachment.content_type)
    # Only this browser may keep it, and for a short while: a member who leaves, or an
    # image a moderator hides, stops being served to them.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_GET
def room_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    return _serve(request, pk, attachment_pk, thumbnail=False)


@login_required
@require_GET
def room_attachment_thumbnail(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    return _serve(request, pk, attachment_pk, thumbnail=True)
