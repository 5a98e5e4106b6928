from tests.storage.fixtures import (
    database_url,
    fresh_database_url,
    postgres_schema,
    sqlite_template,
)

__all__ = ["database_url", "fresh_database_url", "postgres_schema", "sqlite_template"]
