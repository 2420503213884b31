"""S3 notification key filters: matching and S3's overlap rule."""

from __future__ import annotations

import pytest

from eventsim.matching.s3_keys import KeyFilter


@pytest.mark.parametrize(
    ("key_filter", "key", "expected"),
    [
        pytest.param(KeyFilter(), "anything", True, id="no-rules-match-all"),
        pytest.param(KeyFilter(prefix="images/"), "images/cat.jpg", True, id="prefix-hit"),
        pytest.param(KeyFilter(prefix="images/"), "logs/cat.jpg", False, id="prefix-miss"),
        pytest.param(KeyFilter(suffix=".jpg"), "images/cat.jpg", True, id="suffix-hit"),
        pytest.param(KeyFilter(suffix=".jpg"), "images/cat.png", False, id="suffix-miss"),
        pytest.param(KeyFilter("images/", ".jpg"), "images/cat.jpg", True, id="both-hit"),
        pytest.param(KeyFilter("images/", ".jpg"), "images/cat.png", False, id="both-need-suffix"),
        pytest.param(KeyFilter("images/", ".jpg"), "logs/cat.jpg", False, id="both-need-prefix"),
        pytest.param(KeyFilter(prefix=""), "x", True, id="empty-prefix-matches-all"),
        pytest.param(KeyFilter(suffix="*.jpg"), "cat.jpg", False, id="star-is-literal"),
        pytest.param(KeyFilter(prefix="my folder/"), "my folder/a", True, id="raw-key-space"),
        pytest.param(KeyFilter(prefix="Images/"), "images/a", False, id="case-sensitive"),
    ],
)
def test_filter_matches_raw_keys_by_prefix_and_suffix(
    key_filter: KeyFilter, key: str, expected: bool
) -> None:
    assert key_filter.matches(key) is expected


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(KeyFilter(), KeyFilter(), id="both-unfiltered"),
        pytest.param(KeyFilter(), KeyFilter(prefix="images"), id="root-prefix-overlaps-any"),
        pytest.param(KeyFilter(), KeyFilter(suffix=".jpg"), id="root-suffix-overlaps-any"),
        pytest.param(KeyFilter(suffix="jpg"), KeyFilter(suffix="pg"), id="suffix-ends-other"),
        pytest.param(KeyFilter(prefix="images"), KeyFilter(prefix="images/cats"), id="nested"),
        pytest.param(
            KeyFilter("images", "jpg"), KeyFilter(suffix="jpg"), id="aws-doc-prefix-and-suffix"
        ),
        pytest.param(KeyFilter("a/", ".jpg"), KeyFilter("a/", ".jpg"), id="identical"),
    ],
)
def test_filters_that_could_match_one_key_overlap(first: KeyFilter, second: KeyFilter) -> None:
    assert first.overlaps(second)
    assert second.overlaps(first)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(KeyFilter(prefix="images/"), KeyFilter(prefix="logs/"), id="prefixes"),
        pytest.param(KeyFilter(suffix=".jpg"), KeyFilter(suffix=".png"), id="same-last-letter"),
        pytest.param(
            KeyFilter("images", ".jpg"), KeyFilter("images", ".png"), id="shared-prefix-distinct"
        ),
        pytest.param(KeyFilter("a/", ".jpg"), KeyFilter("b/"), id="prefix-decides"),
    ],
)
def test_filters_that_no_key_can_satisfy_together_do_not_overlap(
    first: KeyFilter, second: KeyFilter
) -> None:
    assert not first.overlaps(second)
    assert not second.overlaps(first)


def test_empty_filter_reports_itself_empty() -> None:
    assert KeyFilter().is_empty
    assert not KeyFilter(prefix="").is_empty
    assert not KeyFilter(suffix=".jpg").is_empty
