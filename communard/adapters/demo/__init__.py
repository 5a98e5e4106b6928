"""The demo commune: the Commune of Paris, 1871, loaded through the service commands."""
