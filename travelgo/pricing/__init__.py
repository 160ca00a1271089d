"""Dynamic pricing (issue 23): rules as data (engine.py evaluates them), materialised into the price columns."""
