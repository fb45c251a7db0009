"""The Ukrainian catalogue is complete and compiled: no English text reaches a user."""

from pathlib import Path

import polib
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "uk" / "LC_MESSAGES"


def test_every_message_is_translated():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated and not fuzzy, (untranslated, fuzzy)


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == (entry.msgstr, entry.msgstr_plural), entry.msgid


def test_source_strings_are_all_in_the_catalogue():
    """Every gettext/trans string in the code is in the catalogue (run `make messages` after adding text)."""
    import re

    po = polib.pofile(str(CATALOGUE / "django.po"))
    known = {e.msgid for e in po}
    base = Path(settings.BASE_DIR)
    pattern = re.compile(r'(?:\b_|gettext_lazy|gettext)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]')
    template_pattern = re.compile(r'{%\s*trans\s+"([^"]+)"|{%\s*trans\s+\'([^\']+)\'')
    missing = []
    for path in list((base / "cms").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            text = match.group(1).encode().decode("unicode_escape") if "\\" in match.group(1) else match.group(1)
            if text not in known:
                missing.append(f"{path.name}: {text}")
    for path in (base / "templates").rglob("*.html"):
        for match in template_pattern.finditer(path.read_text(encoding="utf-8")):
            text = match.group(1) or match.group(2)
            if text not in known:
                missing.append(f"{path.name}: {text}")
    assert not missing, missing


def test_pages_are_in_ukrainian(client):
    html = client.get("/").content.decode()
    assert "Увійти" in html and "Sign in" not in html
