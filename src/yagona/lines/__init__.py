"""Mobile lines: connect, rate usage, renew, block, switch, reload, promos — every rule of
the prepaid price list, with money on the ledger and every scheduled effect a due job."""
