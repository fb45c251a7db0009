"""Every message of the upload checks and text extraction has a Ukrainian translation waiting in UK_MESSAGES."""

import ast
import re
from pathlib import Path

from django.conf import settings

from .UK_MESSAGES import T

SOURCES = ["upload_safety.py", "extraction.py", "tasks.py", "apps.py"]
TEMPLATE = Path("templates/wagtaildocs/documents/edit.html")
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _msgids() -> set[str]:
    base = Path(settings.BASE_DIR)
    found = set()
    for name in SOURCES:
        for node in ast.walk(ast.parse((base / "cms" / "library" / name).read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in {"_", "gettext", "gettext_lazy"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    template = (base / TEMPLATE).read_text(encoding="utf-8")
    found.update(a or b for a, b in re.findall(r'{% trans "([^"]+)" %}|_\("([^"]+)"\)', template))
    return found


def test_every_message_has_a_translation():
    assert _msgids() - set(T) == set()


def test_translations_keep_their_placeholders():
    for msgid, msgstr in T.items():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid
        assert re.search("[а-яіїєґ]", msgstr, re.IGNORECASE), msgid
