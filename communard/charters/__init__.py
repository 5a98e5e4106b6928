"""Charter templates shipped with communard (TOML files read by ``services.charters``)."""
