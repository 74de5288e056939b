"""Download OSV exports (``<base>/<Ecosystem>/all.zip``) with httpx, into temporary files.

A download is checked to be a readable zip before anyone imports it; a broken connection, an HTTP
error or a truncated archive is a ``FetchError`` and leaves nothing behind.
"""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from gonogo.vulndb.errors import FetchError

if TYPE_CHECKING:
    import httpx

DEFAULT_BASE_URL = "https://osv-vulnerabilities.storage.googleapis.com"
CONNECT_TIMEOUT_S, READ_TIMEOUT_S = 30.0, 120.0


def export_url(base: str, ecosystem: str) -> str:
    return f"{base.rstrip('/')}/{ecosystem}/all.zip"


def download_export(
    base: str, ecosystem: str, folder: Path, client: httpx.Client | None = None
) -> Path:
    """Fetch one ecosystem's export into a temporary zip under ``folder``; the caller deletes it.
    httpx is imported here, not with the module: every ``gonogo`` command loads the ``db``
    sub-app, and only ``gonogo db update`` downloads (httpx costs 45 ms to import)."""
    import httpx

    url = export_url(base, ecosystem)
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=f".osv-{ecosystem}-", suffix=".zip", dir=folder)
    path = Path(name)
    owned = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(CONNECT_TIMEOUT_S, read=READ_TIMEOUT_S), follow_redirects=True)
    try:
        with open(descriptor, "wb") as handle, http.stream("GET", url) as response:
            if response.status_code != 200:
                raise FetchError(f"GET {url}: HTTP {response.status_code}")
            for chunk in response.iter_bytes(1 << 16):
                handle.write(chunk)
        _check_zip(path, url)
    except httpx.HTTPError as exc:
        path.unlink(missing_ok=True)
        raise FetchError(f"GET {url}: {type(exc).__name__}: {exc}") from exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        if owned:
            http.close()
    return path


def _check_zip(path: Path, url: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError, NotImplementedError) as exc:
        # corrupt deflate data raises zlib.error out of testzip: a damaged download, refused whole
        raise FetchError(f"GET {url}: not a readable zip ({type(exc).__name__}: {exc})") from exc
    if broken is not None:
        raise FetchError(f"GET {url}: corrupt member {broken!r} in the zip")
