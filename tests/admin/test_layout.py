"""The admin house: one sub-blueprint per area, each endpoint the name of a function defined in that area's module
(so `grep -n "def city_update"` finds the view), and route modules that do not import one another."""

from __future__ import annotations

import ast
from pathlib import Path

import travelgo.admin.routes

ROUTES = Path(travelgo.admin.routes.__file__).parent


def test_every_admin_page_is_a_named_function_in_its_area_module(app):
    areas = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        parent, area, name = rule.endpoint.split(".")
        view = app.view_functions[rule.endpoint]
        assert parent == "admin" and view.__name__ == name, rule.endpoint
        assert view.__module__ == f"travelgo.admin.routes.{area}", rule.endpoint
        areas.add(area)
    assert areas == {
        "audit",
        "bookings",
        "dashboard",
        "hotels",
        "money",
        "partners",
        "places",
        "pricing",
        "restaurants",
        "reviews",
        "transport",
        "trips",
        "vehicles",
    }


def test_route_modules_import_no_route_module_and_no_private_name():
    modules = {p.stem for p in ROUTES.glob("*.py")} - {"__init__"}
    for path in ROUTES.glob("*.py"):
        if path.stem == "__init__":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [a.name for a in node.names]
                assert not (node.level == 1 and (node.module in modules or set(names) & modules)), path.name
                assert not [n for n in names if n.startswith("_") and n != "__future__"], path.name
