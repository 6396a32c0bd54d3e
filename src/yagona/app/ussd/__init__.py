"""The USSD channel: the operator's USSD gateway calls `POST /api/v1/ussd` (the aggregator
convention: `sessionId`, `serviceCode`, `phoneNumber`, `text`; answers `CON …` / `END …`).

- `gateways`: who may call (HTTP Basic `NAME:KEY`, only a hash of the key kept)
- `engine`: the conversation of a session (pages, back, main menu, hints, timeout)
- `screens`: what each screen says and does, through the domains' public services
- `pages`: the pure rule that fits a screen into 182-character pages
- `texts`: the menu's words in uz / ru / en
- `routes`, `cli`: the endpoint; `yagona ussd MSISDN` (a phone in the terminal) and
  `yagona ussd gateway add|list|disable`
"""
