"""Online payments in: the Payme Merchant API and the Click SHOP API (product.md §10).
A payment system calls Yagona; its transactions are `payments_transaction` rows with states
and timestamps; the money comes from the system's clearing account (`external:payme`,
`external:click`) to a line or a wallet through their public services."""
