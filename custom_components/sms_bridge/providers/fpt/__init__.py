"""providers.fpt."""
