"""Privacy: who looked at or acted on a customer's personal data, when and why (the access
log of the staff console). Knows no other domain: staff and customers are ids here."""
