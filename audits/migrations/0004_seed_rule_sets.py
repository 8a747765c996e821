from django.db import migrations

# A copy of audits.rules.NATIONAL_2019_ITEMS at the time of this migration, so that the
# migration keeps working when the code's defaults change later.
ITEMS = (
    ("policy_stale", "发布解读", "一级政策文件栏目超过6个月未更新", 5, 5, True, 183),
    ("service_stats_stale", "办事服务", "办事统计数据超过3个月未更新", 2, 2, True, 92),
    ("reply_stale", "互动交流", "留言答复超过2个月未更新", 3, 3, True, 61),
    ("broken_link_home", "功能设计", "首页链接无法访问（每个）", 5, 1.0, False, None),
    ("broken_link_other", "功能设计", "其他页面链接无法访问（每个）", 5, 0.1, False, None),
    ("typo", "发布解读", "错别字（每处）", 5, 0.5, False, None),
    ("meta_tags", "功能设计", "网页标签不符合《政府网站发展指引》（每类）", 2, 0.5, False, None),
    ("tls", "功能设计", "HTTPS证书无效或即将过期", 2, 1.0, False, None),
    ("search_miss", "功能设计", "站内搜索查不到近期信息（每条）", 3, 1.0, False, None),
    ("service_guide", "办事服务", "办事指南要素缺失（每项）", 10, 1.0, False, None),
    ("manual", "功能设计", "人工检查发现的其他问题（每项）", 10, 1.0, False, None),
)


def seed(apps, schema_editor):
    RuleSet = apps.get_model("audits", "RuleSet")
    DeductionItem = apps.get_model("audits", "DeductionItem")
    national, _ = RuleSet.objects.get_or_create(
        code="national-2019",
        version=1,
        defaults={"name": "国办秘函〔2019〕19号 检查指标"},
    )
    local, _ = RuleSet.objects.get_or_create(
        code="county-2019-local",
        version=1,
        defaults={
            "name": "本县规则（国家指标 + 上期问题未整改判不合格 + 提前15天提醒）",
            "is_active": True,
            "unfixed_last_period_fails": True,
            "due_soon_days": 15,
        },
    )
    for rule_set in (national, local):
        for code, group, text, cap, per, verified, window in ITEMS:
            DeductionItem.objects.get_or_create(
                rule_set=rule_set,
                code=code,
                defaults={
                    "group": group,
                    "text": text,
                    "cap": cap,
                    "per_occurrence": per,
                    "verified": verified,
                    "window_days": window,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("audits", "0003_ruleset_finding_deductionitem_verdict")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
