import pytest


@pytest.fixture(autouse=True)
def _uses_database(app):
    """Every test here needs the open pools and empty tables (the root conftest's clean_tables)."""
