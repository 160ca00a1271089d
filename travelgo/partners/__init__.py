"""Partner businesses (issue 17): hotel groups, bus operators and restaurant owners run their own inventory.

ownership.py says which rows belong to which business (the one place); scope.py resolves who is asking into a
PartnerScope once per request; routes.py (pages under /partner) and travelgo/api/partner.py (/api/v1/partner) pass
that scope to the admin services, which filter every read and check every change with it.
"""
