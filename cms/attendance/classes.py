"""Classes of each school, built from the Ministry of Finance's school network data (pupils and classes
per school, matched by ЄДРПОУ code). Schools missing from that file get a typical structure for their type,
marked as estimated, until the school corrects its classes."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from cms.org.models import School

from .models import SchoolClass

LETTERS = "АБВГДЕЄЖЗИІК"
GRADES = {"I": range(1, 5), "I-II": range(1, 10), "I-III": range(1, 12), "II-III": range(5, 12), "III": range(10, 12)}
PUPILS_COLUMN = "Кількість учнів разом"
CLASSES_COLUMN = "Кількість класів разом"
STAGE_COLUMN = "Ступінь закладу ( I, I-II, I-III)"
EDRPOU_COLUMN = "ЄДРПОУ"
# Typical structure of a school missing from the file, by its type in the registry.
ESTIMATES = {
    "початкова школа": ("I", 8, 200),
    "гімназія": ("I-II", 18, 450),
    "ліцей": ("II-III", 21, 560),
}
DEFAULT_ESTIMATE = ("I-III", 27, 700)
# Private schools in Kyiv are small: about one class per grade.
PRIVATE_ESTIMATE = ("I-III", 11, 160)


@dataclass(frozen=True)
class SchoolSize:
    stage: str
    classes: int
    pupils: int
    estimated: bool = False


def read_sizes(path: Path) -> dict[str, SchoolSize]:
    """ЄДРПОУ code -> the school's size, from the Ministry of Finance CSV."""
    sizes = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                pupils, classes = int(float(row[PUPILS_COLUMN])), int(float(row[CLASSES_COLUMN]))
            except (KeyError, ValueError):
                continue
            stage = (row.get(STAGE_COLUMN) or "").strip().replace("І", "I")
            code = (row.get(EDRPOU_COLUMN) or "").strip().zfill(8)
            if classes > 0 and pupils > 0 and stage in GRADES:
                sizes[code] = SchoolSize(stage, classes, pupils)
    return sizes


def estimate(school: School) -> SchoolSize:
    if school.ownership.lower() == "приватна":
        stage, classes, pupils = PRIVATE_ESTIMATE
    else:
        stage, classes, pupils = ESTIMATES.get(school.kind, DEFAULT_ESTIMATE)
    return SchoolSize(stage, classes, pupils, estimated=True)


def plan_classes(size: SchoolSize) -> list[tuple[str, int, int]]:
    """(name, grade, enrolled) for each class: classes spread evenly over the grades, pupils over the classes."""
    grades = list(GRADES[size.stage])
    per_grade = [size.classes // len(grades) + (i < size.classes % len(grades)) for i in range(len(grades))]
    names = [
        (f"{grade}-{LETTERS[n % len(LETTERS)]}", grade)
        for grade, count in zip(grades, per_grade, strict=True)
        for n in range(count)
    ]
    base, extra = divmod(size.pupils, len(names))
    return [(name, grade, base + (i < extra)) for i, (name, grade) in enumerate(names)]


@transaction.atomic
def import_classes(path: Path | None, *, schools=None) -> dict[str, int]:
    """Create the classes of every working school that has none yet (a school's own changes are kept)."""
    sizes = read_sizes(path) if path else {}
    schools = School.objects.working() if schools is None else schools
    have = set(SchoolClass.objects.values_list("school_id", flat=True).distinct())
    counts = {"schools": 0, "estimated": 0, "classes": 0, "pupils": 0}
    new = []
    for school in schools.exclude(pk__in=have):
        size = sizes.get((school.edrpou or "").zfill(8)) or estimate(school)
        for name, grade, enrolled in plan_classes(size):
            new.append(SchoolClass(school=school, name=name, grade=grade, enrolled=enrolled))
            counts["pupils"] += enrolled
        counts["schools"] += 1
        counts["estimated"] += size.estimated
    SchoolClass.objects.bulk_create(new, batch_size=2000)
    counts["classes"] = len(new)
    return counts
