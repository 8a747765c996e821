"""Pure extraction functions: decoded HTML text + page URL (+ monitoring point) in, plain data out.

No I/O, no database, no network, and no ``date.today()``: the monitoring point is always passed in.
"""

from .article import ArticleDate, extract_article_date
from .dates import DateToken, date_from_url, find_dates, infer_year
from .discover import ProposedColumn, guess_category, propose_columns
from .links import Link, extract_links, extract_nav
from .listpage import Item, ListResult, extract_list, extract_list_json
from .meta import MetaProblem, check_meta_tags, read_meta_tags

__all__ = [
    "ArticleDate",
    "DateToken",
    "Item",
    "Link",
    "ListResult",
    "MetaProblem",
    "ProposedColumn",
    "check_meta_tags",
    "date_from_url",
    "extract_article_date",
    "extract_links",
    "extract_list",
    "extract_list_json",
    "extract_nav",
    "find_dates",
    "guess_category",
    "infer_year",
    "propose_columns",
    "read_meta_tags",
]
