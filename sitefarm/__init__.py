"""sitefarm: a local HTTP farm of synthetic county government websites, with ground truth.

    from sitefarm.generate import generate_county
    from sitefarm.server import FarmServer

    farm = generate_county(seed=1, n_sites=40, columns_per_site=12, today=date(2026, 11, 23))
    srv = FarmServer(farm, port=0, latency_ms=50).start()  # every live site's host, one port
    srv.url(site), srv.column_url(site, column), srv.item_url(site, item)
    farm.ground_truth()  # JSON-serialisable: sites, columns, newest date, status, item count
    srv.stop()

Modules: model (frozen Farm/Site/Column/Item and the ground truth), names (units, columns,
titles), generate (deterministic farm from a seed), render (HTML per page kind and list style),
server (asyncio HTTP/1.1 on 127.0.x.y addresses), __main__ (CLI: python -m sitefarm --help).

Opt-in parts (the default farm, its pages and ground_truth() do not change; each part has a
truth method of its own):

    farm = generate_county(seed=1, n_sites=40, columns_per_site=12, today=day,
                           styles=["ul_date", "pinned", "yearless_old", "yearless_pinned"],
                           search=True, services=True, interaction=True, nav_home=3,
                           accounts_per_unit=3, posts_per_account=30)
    farm.search_truth()       # search.py: /search?q={q} and other CMS shapes (Site.search_url)
    farm.list_truth()         # lists.py: year-less-old and pinned lists, confirmable or not
    farm.service_truth()      # services.py: 办事服务 / 办事指南 elements, dead and missing guides
    farm.interaction_truth()  # interaction.py: 县长信箱 messages, received_at / replied_at
    farm.home_truth()         # navigation-only home pages: newest date on the channel pages
    farm.feed_truth()         # feeds.py: accounts and posts behind the bridge (127.0.3.1)
    srv = FarmServer(farm, port=0).start()  # also listens on the bridge host
    srv.search_url(site, "通知"), srv.feed_url(farm.accounts.account(0))

    accounts = generate_accounts(seed=1, n_accounts=2000, posts_per_account=50, today=day)
    FarmServer(None, accounts=accounts, bridge_port=0).start()  # a bridge alone, built lazily

Same seed and today -> byte-identical pages and ground truth (links to other hosts include the
port, so compare pages served on the same port).

Build a small farm for a test with particular styles, encodings and no faults, then set flags:

    farm = generate_county(seed=3, n_sites=3, columns_per_site=8, today=day,
                           styles=["ul_date", "yearless"], encodings=["gbk"], faults=False)
    farm = farm.replace_site("s002", delay_ms=20_000)          # slow host
    farm = farm.replace_site("s003", failure="reset", fail_every=1)
    farm = farm.replace_column("s001", farm.sites[0].columns[0].key, style="js_only")
"""
