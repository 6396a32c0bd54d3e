"""The double-entry ledger: accounts and transfers. The only place money and points move."""
