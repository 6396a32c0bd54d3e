"""The bonus programme (product.md §6): points earned from what customers spend on the
operator's services, on their own ledger unit, tiers, expiry and rewards."""
