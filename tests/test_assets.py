"""Fingerprinted static URLs with long cache lifetimes, and gzip for text responses."""

import gzip
import re


async def test_static_urls_are_fingerprinted_and_cached_for_a_year(client):
    page = await (await client.get("/")).get_data(as_text=True)
    match = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]{12}))"', page)
    assert match, "app.css link has no fingerprint"
    response = await client.get(match.group(1))
    assert response.status_code == 200
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.cache_control.immutable


async def test_a_stale_or_missing_fingerprint_is_not_cached_for_long(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        response = await client.get(url)
        assert response.status_code == 200
        assert not response.cache_control.immutable
        assert (response.cache_control.max_age or 0) <= 3600


async def test_html_is_gzipped_when_the_client_accepts_it(client):
    plain = await client.get("/")
    zipped = await client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert plain.headers.get("Content-Encoding") is None
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    body = gzip.decompress(await zipped.get_data())
    assert body == await plain.get_data()
    assert int(zipped.headers["Content-Length"]) < len(body) / 2


async def test_static_files_are_gzipped_from_a_cache(client):
    first = await client.get("/static/vendor/htmx/htmx.min.js", headers={"Accept-Encoding": "gzip"})
    second = await client.get("/static/vendor/htmx/htmx.min.js", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert await first.get_data() == await second.get_data()
    original = await (await client.get("/static/vendor/htmx/htmx.min.js")).get_data()
    assert gzip.decompress(await first.get_data()) == original


async def test_small_responses_are_not_compressed(client):
    response = await client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") is None
    assert (await response.get_json())["status"] == "ok"
