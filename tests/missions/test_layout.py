"""SPEC §2: dependencies point one way. Nothing imports ``missions`` except the URLs and the API
router, and the core app (``portal``) imports no feature app except there, so that ``missions``
can read every app and no app depends on it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FEATURE_APPS = {"ambassadors", "workspaces", "funding", "missions"}
# The one router and the URL configuration gather every app's views.
GATHERERS = {Path("portal/api.py"), Path("portal/urls.py")}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def sources(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" not in relative.parts and relative not in GATHERERS:
            yield relative


def test_no_app_but_the_urls_and_the_router_imports_missions():
    offenders = [
        str(path)
        for app in ("portal", "ambassadors", "workspaces", "funding")
        if (ROOT / app).is_dir()
        for path in sources(app)
        if "missions" in imported_apps(ROOT / path)
    ]
    assert offenders == []


def test_the_core_app_imports_no_feature_app():
    offenders = {str(path): imported_apps(ROOT / path) & FEATURE_APPS for path in sources("portal")}
    assert {path: apps for path, apps in offenders.items() if apps} == {}
