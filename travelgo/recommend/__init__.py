"""Recommendations from booking history: item-item co-occurrence and popularity, refreshed in the background."""
