"""The reminder engine: rules as data (`data/rules.yaml`) that reach out to a customer when a
fact of a lower domain calls for it (a fee due tomorrow and the balance short, a bundle
nearly used…), within limits (quiet hours, a daily cap, no repeat within a period, marketing
only with opt-in), in the customer's language and on their preferred channel, through notify."""
