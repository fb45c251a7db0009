"""Importers of the organisation: district polygons (GeoJSON) and schools (the ЄДЕБО registry CSV)."""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import District, DistrictBoundary, School

APOSTROPHES = re.compile("[`'ʼ’]")

# ЄДЕБО CSV column -> School field.
COLUMNS = {
    "Повна назва": "name",
    "Код в ЄДЕБО": "edebo_code",
    "Скорочена назва": "short_name",
    "Код ЄДРПОУ": "edrpou",
    "Статус": "status",
    "Тип закладу": "kind",
    "Форма власності": "ownership",
    "Місцезнаходження (юридична адреса)": "address",
    "Головний заклад": "parent_edebo_code",
    "Найменування органу, до сфери управління якого належить заклад освіти": "managing_body",
    "Телефон": "phone",
    "Веб-сайт": "website",
}
LOCATION_KATOTTG_COLUMN = "Код КАТОТТГ району"
REQUIRED_COLUMNS = set(COLUMNS) | {LOCATION_KATOTTG_COLUMN}
KYIV_CITY_KATOTTG = "UA80000000000093317"


def normalise_apostrophe(text: str) -> str:
    return APOSTROPHES.sub("’", text)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class ImportFileError(Exception):
    """The file as a whole cannot be read (not a row problem)."""


def import_districts(path: Path) -> ImportReport:
    """Create or update the districts from a GeoJSON FeatureCollection (properties name_uk, name_en, ...)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        features = data["features"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ImportFileError(_("Cannot read the districts file: %(error)s") % {"error": exc}) from exc
    report = ImportReport()
    with transaction.atomic():
        for index, feature in enumerate(features, start=1):
            props = feature.get("properties") or {}
            name = normalise_apostrophe(props.get("name_uk", "")).removesuffix(" район").strip()
            name_en = props.get("name_en", "").replace(" District", "").replace(" district", "").strip()
            if not name or not name_en:
                report.errors.append((index, _("feature without name_uk/name_en")))
                continue
            values = {"name": name, "name_en": name_en, "koatuu": props.get("koatuu", ""), "office_name": ""}
            geometry = feature.get("geometry")
            district = District.objects.filter(katottg=props.get("katottg", "")).first()
            if district is None:
                district = District.objects.create(slug=slugify(name_en), katottg=props.get("katottg", ""), **values)
                if geometry:
                    DistrictBoundary.objects.create(district=district, geometry=geometry)
                report.created += 1
                continue
            values["office_name"] = district.office_name
            changed = _assign_changed(district, values)
            if changed:
                district.save()
            if _boundary_changed(district, geometry):
                changed = True
            if changed:
                report.updated += 1
            else:
                report.unchanged += 1
    return report


def _boundary_changed(district: District, geometry) -> bool:
    """Store the district's boundary as the file gives it; whether that changed it."""
    stored = DistrictBoundary.objects.filter(district=district).values_list("geometry", flat=True).first()
    if stored == geometry:
        return False
    if geometry:
        DistrictBoundary.objects.update_or_create(district=district, defaults={"geometry": geometry})
    else:
        DistrictBoundary.objects.filter(district=district).delete()
    return True


def _assign_changed(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _district_genitive(name: str) -> str:
    """'Голосіївський' -> 'голосіївської', as district offices are named in the registry."""
    return normalise_apostrophe(name).lower().removesuffix("ий") + "ої"


class _DistrictResolver:
    def __init__(self):
        self.districts = list(District.objects.all())
        self.by_katottg = {d.katottg: d for d in self.districts}
        self.by_genitive = {_district_genitive(d.name): d for d in self.districts}

    def managing_district(self, managing_body: str) -> tuple[District | None, bool]:
        """The district whose office manages the school; (None, False) when it is not a district office,
        (None, True) when it names a district office we do not know."""
        body = normalise_apostrophe(managing_body).lower()
        if "районної" not in body:
            return None, False
        for genitive, district in self.by_genitive.items():
            if genitive in body:
                return district, True
        return None, True

    def location_known(self, katottg: str) -> bool:
        return katottg == KYIV_CITY_KATOTTG or katottg in self.by_katottg


def _read_rows(path: Path, encoding: str):
    raw = Path(path).read_bytes()
    text = raw.decode(encoding, errors="surrogateescape")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if _has_bad_encoding(dict(enumerate(reader.fieldnames or []))):
        raise ImportFileError(
            _("The file is not in %(encoding)s; name its encoding (for example --encoding cp1251).")
            % {"encoding": encoding}
        )
    missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
    if missing:
        raise ImportFileError(_("The file lacks the columns: %(columns)s") % {"columns": ", ".join(sorted(missing))})
    return reader


def _has_bad_encoding(row: dict) -> bool:
    return any(any(0xDC80 <= ord(ch) <= 0xDCFF for ch in value) for value in row.values() if isinstance(value, str))


def import_schools(path: Path, *, encoding: str = "utf-8") -> ImportReport:
    """Create or update schools from the ЄДЕБО registry CSV. Idempotent: keyed by the ЄДЕБО code.

    A row that cannot be taken is reported with its line number and reason; the other rows go in.
    Closed schools (ліквідовано / реорганізовано) are kept, inactive.
    """
    reader = _read_rows(path, encoding)
    resolver = _DistrictResolver()
    report = ImportReport()
    existing = {s.edebo_code: s for s in School.objects.all()}
    seen: set[str] = set()
    to_create: list[School] = []
    to_update: list[School] = []
    statuses = set(School.Status.values)
    now = timezone.now()
    for row in reader:
        line = reader.line_num
        if _has_bad_encoding(row):
            report.errors.append((line, _("bad encoding (the file is not %(encoding)s)") % {"encoding": encoding}))
            continue
        values = {fld: (row.get(col) or "").strip() for col, fld in COLUMNS.items()}
        code = values["edebo_code"]
        if not code:
            report.errors.append((line, _("missing EDEBO code")))
            continue
        if not code.isdigit():
            report.errors.append((line, _("EDEBO code %(code)s is not a number") % {"code": code}))
            continue
        if code in seen:
            report.errors.append((line, _("EDEBO code %(code)s repeats an earlier row") % {"code": code}))
            continue
        if not values["name"]:
            report.errors.append((line, _("missing school name")))
            continue
        if values["status"] not in statuses:
            report.errors.append((line, _("unknown status “%(status)s”") % {"status": values["status"]}))
            continue
        district, is_district_office = resolver.managing_district(values["managing_body"])
        if is_district_office and district is None:
            report.errors.append(
                (line, _("unknown district in managing body “%(body)s”") % {"body": values["managing_body"]})
            )
            continue
        location = (row.get(LOCATION_KATOTTG_COLUMN) or "").strip()
        if not resolver.location_known(location):
            report.errors.append((line, _("unknown district code %(code)s") % {"code": location or "—"}))
            continue
        seen.add(code)
        values["district"] = district
        values["is_active"] = values["status"] == School.Status.WORKING
        school = existing.get(code)
        if school is None:
            to_create.append(School(**values))
        elif _assign_changed(school, values):
            school.updated_at = now
            to_update.append(school)
        else:
            report.unchanged += 1
    fields = [f for f in COLUMNS.values() if f != "edebo_code"] + ["district", "is_active", "updated_at"]
    with transaction.atomic():
        School.objects.bulk_create(to_create, batch_size=500)
        School.objects.bulk_update(to_update, fields, batch_size=500)
    report.created, report.updated = len(to_create), len(to_update)
    return report
