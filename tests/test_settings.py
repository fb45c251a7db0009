"""Production settings: refuse to start without secrets; `check --deploy` is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "SECRET_KEY": "kX9#vQ2$mP7!rT4&wZ8*bN3^cL6@hJ1%fD5(gS0)yA-uE+iO=pR",
    "ALLOWED_HOSTS": "e-kabinet.kyiv.example",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "DATABASE_URL": "sqlite:///" + str(ROOT / "var" / "deploy-check.sqlite3"),
}


def _python(*args, env_overrides=None, drop=()) -> subprocess.CompletedProcess:
    """Python in a process of its own with the production settings' environment."""
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("DJANGO_")}
    env.update(PRODUCTION_ENV)
    env.update(env_overrides or {})
    for key in drop:
        env.pop(key, None)
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _manage(*args, env_overrides=None, drop=()):
    return _python("manage.py", *args, env_overrides=env_overrides, drop=drop)


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"])
def test_production_refuses_to_start_without_required_settings(missing):
    result = _manage("check", drop=(missing,))
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_a_short_secret():
    result = _manage("check", env_overrides={"SECRET_KEY": "short"})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_security_headers_and_cookies():
    code = (
        "from django.conf import settings as s;"
        "d = s.CONTENT_SECURITY_POLICY['DIRECTIVES'];"
        "assert \"'unsafe-inline'\" not in d['script-src'] and 'https:' not in d['script-src'], d;"
        "assert s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE and s.SESSION_COOKIE_HTTPONLY;"
        "assert s.SECURE_HSTS_SECONDS >= 31536000 and s.SECURE_SSL_REDIRECT;"
        "assert s.SESSION_COOKIE_NAME.startswith('__Host-');"
        "print('ok')"
    )
    result = _manage("shell", "-c", code)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr


def test_csp_header_on_pages(client):
    header = client.get("/")["Content-Security-Policy"]
    script_src = next(part for part in header.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "frame-ancestors 'none'" in header


def test_no_external_assets_in_pages(client):
    html = client.get("/").content.decode()
    assert "http://" not in html.replace('xmlns="http://www.w3.org', "") and "https://" not in html


def test_admin_allows_only_wagtails_known_inline_initialisers(world, client_for):
    """No 'unsafe-inline' anywhere; the admin's response lists hashes of Wagtail's own initialisers only."""
    import base64
    import hashlib
    import re

    client = client_for("don")
    index = world.content.city_regulation.get_parent()
    response = client.get(f"/admin/pages/add/pages/regulationpage/{index.pk}/")
    header = response["Content-Security-Policy"]
    script_src = next(p for p in header.split(";") if "script-src" in p)
    assert "'unsafe-inline'" not in script_src
    html = response.content.decode()
    bodies = [
        body
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        if "src=" not in attrs and "application/json" not in attrs and body.strip()
    ]
    assert bodies, "the page editor renders inline initialisers"
    for body in bodies:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src, body[:80]
    portal = client.get("/cabinet/")["Content-Security-Policy"]
    assert "sha256-" not in portal and "'unsafe-inline'" not in portal.split("style-src")[0]


def test_an_injected_inline_script_gets_no_hash():
    from cms.accounts.csp import inline_script_hashes

    html = (
        '<script>initDateChooser("id_x", {"format": "Y-m-d"});</script>'
        "<script>fetch('/steal?c=' + document.cookie)</script>"
        '<script>initDateChooser("id_y", {"a": 1}); alert(1);</script>'
        '<script>new DocumentChooser("id_d", {"modalUrl": "/admin/documents/chooser/"});</script>'
    )
    assert len(inline_script_hashes(html)) == 2


def test_inline_panel_template_copies_are_hashed():
    import base64
    import hashlib

    from cms.accounts.csp import TEMPLATE_COPIES_HASHED, inline_script_hashes

    body = 'new DocumentChooser("id_attachments-__prefix__-document", {"modalUrl": "/admin/documents/chooser/"});'
    hashes = inline_script_hashes(f"<template><script>{body}</script></template>")
    copy = body.replace("__prefix__", "3")
    assert f"'sha256-{base64.b64encode(hashlib.sha256(copy.encode()).digest()).decode()}'" in hashes
    assert len(hashes) == TEMPLATE_COPIES_HASHED + 1


@pytest.mark.parametrize(("entry_point", "expected"), [("cms.wsgi", 60), ("cms.asgi", 0)])
def test_persistent_connections_in_wsgi_workers_only(entry_point, expected):
    """Under ASGI each request's sync code runs in a thread of its own: a kept connection would never be
    reused and would stay open, one per request (no database is reached to load the settings)."""
    code = f"import {entry_point}; from django.conf import settings as s; print(s.DATABASES['default']['CONN_MAX_AGE'])"
    env = {"DATABASE_URL": "postgres://ecab@127.0.0.1:9/ecab", "DATABASE_CONN_MAX_AGE": "60"}
    result = _python("-c", code, env_overrides=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == str(expected)


@pytest.mark.parametrize(("entry_point", "analyser"), [("cms.wsgi", True), ("cms.asgi", False)])
def test_a_server_process_loads_its_first_requests_needs_then_freezes_them(entry_point, analyser):
    """The URLconf (and in a WSGI worker, which serves search, the Ukrainian analyser and the abbreviations' table)
    is loaded as the process starts, before ``gc.freeze()``: the collector's full passes no longer walk it
    (``cms.startup``). The ASGI process serves only the live stream in production: no analyser there."""
    code = (
        f"import gc, {entry_point}; from django.urls import get_resolver; from search import abbreviations, analysis;"
        "resolver = get_resolver(); loaded = 'url_patterns' in resolver.__dict__;"
        "walked = {id(o) for o in gc.get_objects()};"
        "print(gc.get_freeze_count() > 100_000, loaded, id(resolver) in walked,"
        " analysis._analyzer is not None and id(analysis._analyzer) not in walked,"
        " abbreviations.known.cache_info().currsize == 1)"
    )
    result = _python("-c", code, env_overrides={"DATABASE_URL": "postgres://ecab@127.0.0.1:9/ecab"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == ["True", "True", "False", str(analyser), str(analyser)]


#: Every engine setting: the caller's environment may hold some.
_ENGINE_VARIABLES = tuple(
    f"{engine}_{name}" for engine in ("OPENSEARCH", "ELASTICSEARCH") for name in ("URL", "INDEX_PREFIX", "TIMEOUT")
)


@pytest.mark.parametrize(
    ("variable", "backend"),
    [("OPENSEARCH_URL", "search.backends"), ("ELASTICSEARCH_URL", "search.backends.PortalElasticsearchBackend")],
)
def test_a_search_engine_url_makes_it_the_default_backend_with_the_database_as_fallback(variable, backend):
    prefix = variable.removesuffix("_URL")
    code = (
        "from django.conf import settings as s;"
        "b = s.WAGTAILSEARCH_BACKENDS;"
        f"assert b['default']['BACKEND'] == {backend!r} and b['default']['URLS'] == ['http://127.0.0.1:9'], b;"
        "assert b['default']['INDEX_PREFIX'] == 'p-' and b['default']['TIMEOUT'] == 7, b;"
        "assert b['fallback']['BACKEND'] == 'search.database', b"
    )
    engine = {variable: "http://127.0.0.1:9", f"{prefix}_INDEX_PREFIX": "p-", f"{prefix}_TIMEOUT": "7"}
    result = _python(
        "-c", f"import django; django.setup(); {code}", env_overrides=engine, drop=set(_ENGINE_VARIABLES) - set(engine)
    )
    assert result.returncode == 0, result.stderr


def test_settings_refuse_two_search_engines():
    both = {"OPENSEARCH_URL": "http://127.0.0.1:9", "ELASTICSEARCH_URL": "http://127.0.0.1:9"}
    result = _manage("check", env_overrides=both)
    assert result.returncode != 0 and "not both" in result.stderr
