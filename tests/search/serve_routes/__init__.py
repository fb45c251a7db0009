"""URL configurations with a serve route of their own for Wagtail's pages (``test_search_cost``): each makes
the path of some page other than the site root's path followed by the page's, or none at all."""
