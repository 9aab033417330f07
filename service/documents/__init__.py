"""Uploaded documents: content-addressed files, page counts, previews and who may read them."""
from __future__ import annotations

from service.documents.models import Document
from service.documents.service import DocumentError, can_read, page_png, store_upload

__all__ = ["Document", "DocumentError", "can_read", "page_png", "store_upload"]
