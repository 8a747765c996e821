"""The layout holds: dependencies run one way, and the engine has no HTML views.

core <- units <- newmedia <- audits <- notices <- dashboard / portal (../shared/DESIGN.md): a
module may import its own app and the apps to its left, never one to its right; dashboard and
portal do not import each other. sitefarm imports no app of the project.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"core": 0, "units": 1, "newmedia": 2, "audits": 3, "notices": 4, "dashboard": 5}
LAYERS["portal"] = 5
PROJECT = set(LAYERS) | {"config", "sitefarm"}


def imported_apps(path: Path) -> set[tuple[str, int]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in PROJECT:
                found.add((top, node.lineno))
    return found


def modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


@pytest.mark.parametrize("app", sorted(LAYERS))
def test_an_app_imports_only_itself_and_the_apps_below_it(app):
    wrong = []
    for path in modules(app):
        for other, line in imported_apps(path):
            if other in ("config", "sitefarm"):
                # audits installs the beat schedule (config.schedule); the demo loader reads
                # the site farm's county.
                allowed = (app, other) in {("audits", "config"), ("dashboard", "sitefarm")}
                if not allowed:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {other}")
                continue
            if other != app and LAYERS[other] >= LAYERS[app]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {other}")
    assert not wrong, "dependencies must run one way:\n" + "\n".join(wrong)


def test_the_site_farm_imports_no_app_of_the_project():
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {other}"
        for path in modules("sitefarm")
        for other, line in imported_apps(path)
        if other != "sitefarm"
    ]
    assert not wrong


def test_the_check_itself_catches_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from dashboard.views import overview\nimport audits.models\n")
    assert imported_apps(bad) == {("dashboard", 1), ("audits", 2)}


def test_the_engine_has_no_html_views():
    assert not (ROOT / "audits" / "views.py").exists()
    assert not (ROOT / "audits" / "urls.py").exists()
    assert not (ROOT / "templates" / "audits").exists()
    for path in modules("audits"):
        if path.name == "admin.py":  # Django's back office (dictionary import), not our screens
            continue
        text = path.read_text(encoding="utf-8")
        assert "django.shortcuts" not in text and "HttpResponse" not in text, path


def test_checks_never_import_a_model():
    for path in sorted((ROOT / "audits" / "checks").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.endswith("models"), (path, node.module)
