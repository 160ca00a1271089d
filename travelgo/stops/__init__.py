"""Boarding and dropping points of bus trips (issue 22): several of each per trip, the traveller's choice per
booking, and the operator's contact number for the ticket."""
