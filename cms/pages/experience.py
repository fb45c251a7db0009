"""Experience articles written by school staff in the portal and moderated by their district office."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from cms.accounts.roles import has_capability
from cms.org.models import School
from cms.org.scope import scope_of

from .models import ExperienceArticlePage, ExperienceDistrictPage
from .sanitise import sanitise_html


class ArticleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=255)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=gettext_lazy("Paragraphs, lists, links and tables are kept; scripts and styles are removed."),
    )

    def clean_body(self) -> str:
        body = sanitise_html(self.cleaned_data["body"])
        if not body.strip():
            raise forms.ValidationError(_("The article has no text left after cleaning."))
        return body


def _unique_slug(parent: Page, title: str) -> str:
    base = slugify(title, allow_unicode=True)[:60] or "stattia"
    slug, n = base, 1
    while parent.get_children().filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def submit_article(*, author, school: School, title: str, body: str) -> ExperienceArticlePage:
    """Save the article as a draft in its district's folder and send it to the district office's review."""
    folder = ExperienceDistrictPage.objects.select_for_update().get(district_id=school.district_id)
    article = ExperienceArticlePage(
        title=title,
        slug=_unique_slug(folder, title),
        author_school=school,
        body=body,
        live=False,
        owner=author,
        content_owner=author,
    )
    folder.add_child(instance=article)
    article.save_revision(user=author)
    workflow = article.get_workflow()
    if workflow is not None:
        workflow.start(article, author)
    return article


def write_article(request):
    if not has_capability(request.user, "write_articles"):
        raise PermissionDenied
    scope = scope_of(request.user)
    school = School.objects.select_related("district").get(pk=scope.school_id)
    if school.district_id is None:
        messages.error(request, _("Articles are moderated by a district office; your school has none."))
        return redirect("dashboard:home")
    form = ArticleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        submit_article(author=request.user, school=school, **form.cleaned_data)
        messages.success(request, _("The article was sent to your district office for review."))
        return redirect("experience:mine")
    return render(request, "pages/experience_write.html", {"form": form})


def my_articles(request):
    if not has_capability(request.user, "write_articles"):
        raise PermissionDenied
    scope = scope_of(request.user)
    articles = (
        ExperienceArticlePage.objects.filter(author_school_id=scope.school_id)
        .select_related("latest_revision")
        .order_by("-latest_revision_created_at")
    )
    return render(request, "pages/experience_mine.html", {"articles": articles})
