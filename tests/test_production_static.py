"""Production mode serves its own pages: gunicorn with DEBUG=0 serves the API docs and the admin
with every asset they reference (WhiteNoise over collectstatic's output)."""

from __future__ import annotations

import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from tests.prod_server import (
    ROOT,
    VENV_BIN,
    clean_environment,
    get,
    production_secrets,
    running,
    wait_for,
)

# One port per xdist worker (8720, 8721, ...): the module's tests may be split across workers,
# each starting its own server (8701 and 8702 belong to other tests).
PORT = 8720 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
BASE = f"http://127.0.0.1:{PORT}"
CONTENT_TYPES = {
    ".css": {"text/css"},
    ".js": {"text/javascript", "application/javascript"},
    ".png": {"image/png"},
    ".svg": {"image/svg+xml"},
    ".woff2": {"font/woff2"},
    ".woff": {"font/woff"},
    ".ttf": {"font/ttf"},
}


class AssetLinks(HTMLParser):
    """src= of scripts and images, href= of stylesheets and icons."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in {"script", "img"} and values.get("src"):
            self.urls.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            self.urls.append(values["href"] or "")


def page_assets(html: str, page_url: str) -> list[str]:
    parser = AssetLinks()
    parser.feed(html)
    return [urljoin(page_url, url) for url in parser.urls]


def css_assets(css: str, css_url: str) -> list[str]:
    found = re.findall(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""", css)
    return [urljoin(css_url, url) for url in found if not url.startswith("data:")]


def fetch_assets(urls: list[str]) -> dict[str, tuple[int, str]]:
    """Every asset, and every asset its stylesheets reference, with status and content type."""
    seen: dict[str, tuple[int, str]] = {}
    queue = list(urls)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        assert urlparse(url).netloc == f"127.0.0.1:{PORT}", f"{url} is not served by us"
        status, headers, body = get(url)
        content_type = headers.get("Content-Type", "").split(";")[0].strip()
        seen[url] = (status, content_type)
        if status == 200 and content_type == "text/css":
            queue += css_assets(body.decode(), url)
    return seen


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    work = tmp_path_factory.mktemp("production")
    static_root = work / "static"
    env = clean_environment(
        {
            "DEBUG": "0",
            **production_secrets(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
            "STATIC_ROOT": str(static_root),
        }
    )
    python = str(VENV_BIN / "python")
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    assert (static_root / "staticfiles.json").is_file()  # the manifest of hashed names
    gunicorn = str(Path(python).parent / "gunicorn")
    command = [
        gunicorn,
        "backend.wsgi:application",
        "--bind",
        f"127.0.0.1:{PORT}",
        "--workers",
        "1",
    ]
    with running(command, env=env, cwd=ROOT, log=work / "gunicorn.log") as process:
        wait_for(f"{BASE}/healthz", process)
        yield process


def test_api_docs_and_every_asset_they_reference_are_served(production_server):
    status, headers, body = get(f"{BASE}/api/docs/")

    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assets = page_assets(body.decode(), f"{BASE}/api/docs/")
    assert any(url.endswith(".js") for url in assets)
    assert any(url.endswith(".css") for url in assets)
    results = fetch_assets(assets)
    for url, (asset_status, content_type) in results.items():
        assert asset_status == 200, f"{url}: {asset_status}"
        suffix = Path(urlparse(url).path).suffix
        assert content_type in CONTENT_TYPES[suffix], f"{url}: {content_type}"
    # The schema the page loads is served too.
    schema_status, schema_headers, _ = get(f"{BASE}/api/schema/")
    assert schema_status == 200
    assert "openapi" in schema_headers["Content-Type"]


def test_admin_login_page_and_its_assets_are_served(production_server):
    status, headers, body = get(f"{BASE}/admin/login/")

    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assets = page_assets(body.decode(), f"{BASE}/admin/login/")
    assert any("/static/admin/css/" in url for url in assets)
    results = fetch_assets(assets)
    # The stylesheets' own references (fonts, icons) were followed too.
    assert len(results) > len(set(assets))
    for url, (asset_status, content_type) in results.items():
        assert asset_status == 200, f"{url}: {asset_status}"
        suffix = Path(urlparse(url).path).suffix
        assert content_type in CONTENT_TYPES[suffix], f"{url}: {content_type}"


def test_hashed_assets_are_cached_for_good_and_unknown_ones_are_404(production_server):
    _, _, body = get(f"{BASE}/admin/login/")
    stylesheet = next(url for url in page_assets(body.decode(), BASE) if url.endswith(".css"))

    status, headers, _ = get(stylesheet)
    missing, _, _ = get(f"{BASE}/static/admin/css/no-such-file.css")

    assert status == 200
    # Manifest names carry a content hash, so they may be cached for a year.
    assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet)
    assert "max-age=315360000" in headers.get("Cache-Control", "")
    assert missing == 404


def test_the_console_login_page_and_its_npm_assets_are_served(production_server):
    """The field console's own and vendored (npm, `make assets`) files go through collectstatic
    and WhiteNoise like the admin's; nothing comes from a CDN."""
    status, headers, body = get(f"{BASE}/console/login")

    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assets = page_assets(body.decode(), f"{BASE}/console/login")
    assert any("/static/console/vendor/htmx.min." in url for url in assets)
    results = fetch_assets([url for url in assets if not url.startswith("data:")])
    for url, (asset_status, content_type) in results.items():
        assert asset_status == 200, f"{url}: {asset_status}"
        suffix = Path(urlparse(url).path).suffix
        assert content_type in CONTENT_TYPES[suffix], f"{url}: {content_type}"
