"""The e-wallet of the public offer (seed 002): Light and Premium wallets on the ledger,
top-ups, payments to providers, wallet-to-wallet transfers, Light limits, receipts,
blocking, freezing, forgotten PINs and dormancy."""
