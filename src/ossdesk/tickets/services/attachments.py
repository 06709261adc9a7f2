"""Attachments: what may be attached (size, blocked extensions) and storing them with a message."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from ossdesk.tickets.attachment_files import file_written
from ossdesk.tickets.models import Attachment, Message

ATTACHMENT_MAX_BYTES: int = settings.OSSDESK_ATTACHMENT_MAX_BYTES
BLOCKED_EXTENSIONS = frozenset(
    {
        ".exe",
        ".com",
        ".bat",
        ".cmd",
        ".msi",
        ".scr",
        ".pif",
        ".vbs",
        ".vbe",
        ".js",
        ".jse",
        ".wsf",
        ".wsh",
        ".ps1",
        ".hta",
        ".cpl",
        ".jar",
        ".lnk",
        ".reg",
        ".dll",
        ".html",
        ".htm",
        ".svg",
        ".xhtml",
    }
)


@dataclass(frozen=True)
class Upload:
    """A file a person attached, before it is stored."""

    name: str
    content: bytes
    content_type: str = ""


def check_attachment(upload: Upload) -> str:
    """Refuse oversize, empty or executable files, and content types that contradict the name."""
    name = PurePath(upload.name).name.strip()
    if not name:
        raise ValidationError({"attachments": "A file needs a name."})
    suffix = PurePath(name).suffix.lower()
    if suffix in BLOCKED_EXTENSIONS:
        raise ValidationError({"attachments": f"{name}: {suffix} files are not accepted; zip them first."})
    if len(upload.content) == 0:
        raise ValidationError({"attachments": f"{name} is empty."})
    if len(upload.content) > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "attachments": f"{name} is {len(upload.content) / 1048576:.1f} MiB; the limit is "
                f"{ATTACHMENT_MAX_BYTES // 1048576} MiB."
            }
        )
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    declared = (upload.content_type or guessed).split(";")[0].strip().lower()
    if declared in {"text/html", "application/xhtml+xml", "image/svg+xml", "application/javascript"}:
        raise ValidationError({"attachments": f"{name}: {declared} content is not accepted."})
    if upload.content[:2] == b"MZ" and suffix not in {".zip", ".gz", ".tar", ".7z"}:
        raise ValidationError({"attachments": f"{name} looks like a Windows executable."})
    return guessed


def store_attachments(message: Message, uploads: Sequence[Upload]) -> list[Attachment]:
    # Every file is checked before any is written: a refused second file leaves no first one behind.
    content_types = [check_attachment(upload) for upload in uploads]
    stored = []
    for upload, content_type in zip(uploads, content_types, strict=True):
        attachment = Attachment(
            message=message,
            filename=PurePath(upload.name).name,
            content_type=content_type,
            size=len(upload.content),
            sha256=hashlib.sha256(upload.content).hexdigest(),
        )
        attachment.file.save(
            attachment.sha256[:16] + PurePath(upload.name).suffix.lower(),
            ContentFile(upload.content),
            save=False,
        )
        file_written(str(attachment.file.name))
        attachment.save()
        stored.append(attachment)
    return stored
