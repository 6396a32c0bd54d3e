"""The customer's account pages that span several domains (the privacy page: identity and privacy)."""
