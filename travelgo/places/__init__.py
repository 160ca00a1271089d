"""Cities: the places buses run between and hotels stand in."""
