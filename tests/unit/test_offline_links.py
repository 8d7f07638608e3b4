"""Links written for directory URLs, made to name files for a site opened from disk."""

from __future__ import annotations

import pytest

from generator.mkdocs_plugin import directory_url, file_links

SITE = {
    "index.html",
    "teams/index.html",
    "teams/payments/index.html",
    "people/ana/index.html",
    "runbooks/tags/index.html",
    "runbooks/payments/db-pool.html",
    "severities/index.html",
}


@pytest.mark.parametrize(
    ("src", "url"),
    [
        ("index.md", ""),
        ("teams/index.md", "teams/"),
        ("teams/payments/index.md", "teams/payments/"),
        ("runbooks/payments/db-pool.md", "runbooks/payments/db-pool/"),
        ("about.md", "about/"),
    ],
)
def test_directory_url_is_where_a_page_lives_with_directory_urls(src: str, url: str) -> None:
    assert directory_url(src) == url


def test_folder_links_on_an_index_page_name_its_index_html() -> None:
    html = '<a href="teams/payments/">Payments</a> <a href="people/ana/">Ana</a>'
    assert file_links(html, "index.md", "index.html", SITE) == (
        '<a href="teams/payments/index.html">Payments</a> <a href="people/ana/index.html">Ana</a>'
    )


def test_links_on_a_runbook_page_are_resolved_from_where_it_lived_with_directory_urls() -> None:
    # written as ../../ from runbooks/payments/db-pool/; the page is now a file one level up
    html = (
        '<a href="../../../teams/payments/">Payments</a>'
        '<a class="rota-tag" href="../../../runbooks/tags/#k-db">db</a>'
        '<a href="../../../">Home</a>'
    )
    assert file_links(
        html, "runbooks/payments/db-pool.md", "runbooks/payments/db-pool.html", SITE
    ) == (
        '<a href="../../teams/payments/index.html">Payments</a>'
        '<a class="rota-tag" href="../tags/index.html#k-db">db</a>'
        '<a href="../../index.html">Home</a>'
    )


def test_a_folder_link_to_a_page_built_from_a_file_names_that_file() -> None:
    html = '<a href="../runbooks/payments/db-pool/">Pool</a>'
    assert file_links(html, "teams/index.md", "teams/index.html", SITE) == (
        '<a href="../runbooks/payments/db-pool.html">Pool</a>'
    )


def test_other_links_are_left_as_they_are() -> None:
    html = (
        '<a href="https://grafana.example.com/d/x/">Grafana</a>'
        '<a href="mailto:ops@example.com">Mail</a>'
        '<a href="#on-call-now">Now</a>'
        '<a href="../data/fairness.csv">CSV</a>'
        '<a href="index.html">Teams</a>'
        '<a href="/absolute/">Absolute</a>'
    )
    assert file_links(html, "teams/index.md", "teams/index.html", SITE) == html
