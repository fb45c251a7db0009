"""The lemma fields every searched model indexes (search.indexing)."""

import pytest

from cms.pages.models import RegulationPage


@pytest.mark.django_db
def test_lemmas_are_kept_per_object_only_while_its_text_is_unchanged():
    page = RegulationPage(title="Наказ про зарахування", text="Зарахування учнів.")
    assert "учень" in page.body_lemmas().split()
    assert page.body_lemmas() is page.body_lemmas()  # asked twice per object by the PostgreSQL backend
    page.text = "Атестація вчителів."
    assert "вчитель" in page.body_lemmas().split() and "учень" not in page.body_lemmas().split()
    page.title = "Положення про атестацію"
    assert "положення" in page.title_lemmas().split()
