"""The tariff catalogue: every plan of the prepaid price list as validated, versioned data.

Owns the plans (fees, bundles, per-unit prices, switching rules, promos), the CSD
packages and the number plan that turns a dialled number into a price class. The
data lives in `data/*.yaml`; nothing here touches the database.
"""
