"""Ukrainian translations of the messages added by the regulations import (merged into locale/ by the lead)."""

T = {
    # cms/pages/models/regulations.py
    "source file": "вихідний файл",
    # cms/pages/regulations_import.py
    "index.csv has no «file» column.": "В index.csv немає стовпця «file».",
    "Cannot read index.csv: %(error)s": "Не вдалося прочитати index.csv: %(error)s",
    "Cannot read sources.md: %(error)s": "Не вдалося прочитати sources.md: %(error)s",
    "invalid date in index.csv: «%(value)s»": "неправильна дата в index.csv: «%(value)s»",
    "the text is not in a readable encoding (UTF-8 or Windows-1251 expected)": (
        "текст у нечитабельному кодуванні (очікується UTF-8 або Windows-1251)"
    ),
    "cannot read the Word document: %(error)s": "не вдалося прочитати документ Word: %(error)s",
    "the PDF is protected by a password": "PDF захищено паролем",
    "cannot read the PDF: %(error)s": "не вдалося прочитати PDF: %(error)s",
    "%(path)s is not a folder.": "%(path)s не є текою.",
    "listed in index.csv, but the file is missing": "є в index.csv, але файлу немає",
    "There is no city normative base yet: create the page tree first.": (
        "Міської нормативної бази ще немає: спершу створіть дерево сторінок."
    ),
    "Acts can only be imported into a normative base page.": (
        "Акти можна імпортувати лише на сторінку нормативної бази."
    ),
    "unsupported file type «%(extension)s» (.txt, .docx and .pdf are imported)": (
        "непідтримуваний тип файлу «%(extension)s» (імпортуються .txt, .docx і .pdf)"
    ),
    "the number %(number)s is already taken by %(file)s": "номер %(number)s уже має файл %(file)s",
    "cannot read the file: %(error)s": "не вдалося прочитати файл: %(error)s",
    "the file is empty": "файл порожній",
    "no text could be extracted from the PDF (a scan?)": "з PDF не вдалося видобути текст (це скан?)",
    "the file contains no text": "у файлі немає тексту",
    # cms/pages/management/commands/import_regulations.py
    "Page %(id)s is not a normative base.": "Сторінка %(id)s не є нормативною базою.",
    "created": "створено",
    "updated": "оновлено",
    "Regulations: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(failed)d failed; "
    "%(links)d links between acts added. Time: %(seconds).1f s.": (
        "Нормативні акти: створено %(created)d, оновлено %(updated)d, без змін %(unchanged)d, з помилками "
        "%(failed)d; додано зв’язків між актами: %(links)d. Час: %(seconds).1f с."
    ),
    "Not imported:": "Не імпортовано:",
}
