from tests.storage.fixtures import database_url

__all__ = ["database_url"]
