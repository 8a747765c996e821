"""47号 meta tags: reading (case-insensitive) and checking per page kind."""

from audits.extract.meta import check_meta_tags, read_meta_tags

HEAD = """<html><head>
<meta name="SiteName" content="XX县人民政府">
<meta name="sitedomain" content="www.xx.gov.cn">
<META NAME="SiteIDCode" CONTENT="3418210001">
<meta name="ColumnName" content="工作动态">
<meta name="ArticleTitle" content="标题">
<meta name="PubDate" content="2023-01-04 10:20">
<meta name="ContentSource" content="县政府办">
<meta name="Keywords" content="a">
<meta content="描述" name="Description">
<meta name="viewport" content="width=device-width">
</head><body></body></html>"""


def codes(problems):
    return {p.code for p in problems}


def test_read_is_case_insensitive_and_canonical():
    tags = read_meta_tags(HEAD)
    assert tags["SiteDomain"] == "www.xx.gov.cn"
    assert tags["SiteIDCode"] == "3418210001"
    assert tags["Description"] == "描述"
    assert "viewport" not in tags


def test_article_page_ok_except_recommended():
    problems = check_meta_tags(read_meta_tags(HEAD), "article", "3418210001")
    assert {p.level for p in problems} == {"warning"}
    assert codes(problems) == {"recommended:Author", "recommended:Image", "recommended:Url"}


def test_list_page_needs_column_tags():
    problems = check_meta_tags(read_meta_tags(HEAD), "list", "3418210001")
    assert codes(problems) == {
        "missing:ColumnDescription",
        "missing:ColumnKeywords",
        "missing:ColumnType",
    }
    assert all("缺少" in p.message for p in problems)


def test_pubdate_format_and_validity():
    base = {"SiteName": "x", "SiteDomain": "x", "SiteIDCode": "3418210001"}
    for bad in ("2023-01-04 10:20:00", "2023-1-4 10:20", "2023/01/04 10:20", "2023-01-04"):
        tags = {**base, "ArticleTitle": "t", "ContentSource": "s", "PubDate": bad}
        assert "format:PubDate" in codes(check_meta_tags(tags, "article", None)), bad
    tags = {**base, "ArticleTitle": "t", "ContentSource": "s", "PubDate": "2023-02-30 10:20"}
    assert "invalid:PubDate" in codes(check_meta_tags(tags, "article", None))


def test_site_code_format_and_mismatch():
    tags = {"SiteName": "x", "SiteDomain": "x", "SiteIDCode": "341821000"}
    assert "format:SiteIDCode" in codes(check_meta_tags(tags, "home", None))
    tags["SiteIDCode"] = "3418210002"
    assert codes(check_meta_tags(tags, "home", "3418210001")) == {"mismatch:SiteIDCode"}
    assert check_meta_tags(tags, "home", None) == []


def test_missing_and_empty_on_home():
    problems = check_meta_tags({"sitename": " "}, "home", "3418210001")
    assert codes(problems) == {"empty:SiteName", "missing:SiteDomain", "missing:SiteIDCode"}


def test_unknown_page_kind():
    import pytest

    with pytest.raises(ValueError):
        check_meta_tags({}, "forum", None)
