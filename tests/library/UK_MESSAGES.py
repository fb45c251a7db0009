"""Ukrainian translations of the library's upload checks, text extraction and admin notices.

For the lead engineer to merge into locale/uk/LC_MESSAGES/django.po (msgid → msgstr).
"""

T = {
    # cms/library/apps.py
    "Document library": "Бібліотека документів",
    # cms/library/upload_safety.py
    "The file has no name.": "Файл не має назви.",
    "The file name contains control characters. Rename the file and upload it again.": (
        "Назва файлу містить керівні символи. Перейменуйте файл і завантажте його ще раз."
    ),
    "The file name contains a path or a drive letter. Rename the file and upload it again.": (
        "Назва файлу містить шлях або літеру диска. Перейменуйте файл і завантажте його ще раз."
    ),
    "Files of type “%(extension)s” cannot be uploaded. Allowed types: %(allowed)s.": (
        "Файли типу «%(extension)s» завантажувати не можна. Дозволені типи: %(allowed)s."
    ),
    "The file name “%(name)s” hides another file type (.%(inner)s). Rename the file so that it has a single "
    "extension.": (
        "Назва файлу «%(name)s» приховує інший тип файлу (.%(inner)s). Перейменуйте файл так, щоб він мав лише "
        "одне розширення."
    ),
    "The contents of the file do not match its extension “.%(extension)s”. Upload the original document rather "
    "than a renamed file.": (
        "Вміст файлу не відповідає його розширенню «.%(extension)s». Завантажте оригінальний документ, а не "
        "перейменований файл."
    ),
    "The file is damaged and cannot be opened. Save it again from the original program.": (
        "Файл пошкоджений, його неможливо відкрити. Збережіть його ще раз у програмі, в якій його створено."
    ),
    "The document contains too many parts (more than %(max_files)s). It cannot be accepted.": (
        "Документ містить забагато складових частин (понад %(max_files)s). Його неможливо прийняти."
    ),
    "The document contains a part with an unsafe name (“%(member)s”). It cannot be accepted.": (
        "Документ містить складову частину з небезпечною назвою («%(member)s»). Його неможливо прийняти."
    ),
    "The document is password-protected. Remove the password and upload it again.": (
        "Документ захищено паролем. Зніміть пароль і завантажте документ ще раз."
    ),
    "The document is compressed suspiciously strongly (a “zip bomb”). It cannot be accepted.": (
        "Документ підозріло сильно стиснутий («zip-бомба»). Його неможливо прийняти."
    ),
    "The document would take more than %(max_size)s when unpacked. It cannot be accepted.": (
        "Після розпакування документ займав би понад %(max_size)s. Його неможливо прийняти."
    ),
    "The document contains macros. Save it without macros (as .docx, .xlsx, .odt or .ods) and upload it again.": (
        "Документ містить макроси. Збережіть його без макросів (у форматі .docx, .xlsx, .odt або .ods) і "
        "завантажте ще раз."
    ),
    "The text file must be in UTF-8 or Windows-1251 encoding.": (
        "Текстовий файл має бути в кодуванні UTF-8 або Windows-1251."
    ),
    "The text file contains web page or script markup (HTML, SVG, XML). Such files cannot be uploaded; save the "
    "document as PDF or DOCX instead.": (
        "Текстовий файл містить розмітку вебсторінки або скрипт (HTML, SVG, XML). Такі файли завантажувати не "
        "можна; збережіть документ у форматі PDF або DOCX."
    ),
    "The file could not be checked for viruses. Try again later.": (
        "Не вдалося перевірити файл на віруси. Спробуйте пізніше."
    ),
    "The file is empty.": "Файл порожній.",
    "The file is too large (%(size)s). The largest allowed is %(max_size)s.": (
        "Файл завеликий (%(size)s). Найбільший дозволений розмір — %(max_size)s."
    ),
    # cms/library/extraction.py
    "The PDF is password-protected, so its text cannot be read.": (
        "PDF-файл захищено паролем, тому його текст неможливо прочитати."
    ),
    "Text cannot be read from files of this type.": "З файлів цього типу неможливо прочитати текст.",
    # cms/library/tasks.py
    "The text of this document could not be read, so search will not find its contents. The file itself is kept "
    "unchanged; if it opens on your computer, save it again (for example as PDF or DOCX) and replace it.": (
        "Не вдалося прочитати текст цього документа, тому пошук не знаходитиме його вмісту. Сам файл збережено "
        "без змін; якщо він відкривається на вашому комп’ютері, збережіть його ще раз (наприклад, у форматі PDF "
        "або DOCX) і замініть."
    ),
    # templates/wagtaildocs/documents/edit.html
    "Text extraction failed.": "Не вдалося видобути текст.",
    "The text of this document could not be read.": "Не вдалося прочитати текст цього документа.",
    "The text of this document is being extracted for search.": "Текст цього документа видобувається для пошуку.",
    "This file has no text to extract; search finds it by its title and details only.": (
        "Цей файл не містить тексту; пошук знаходить його лише за назвою та реквізитами."
    ),
}
