"""One ID: customers, credentials, OTP, sessions, devices, audit, the OpenID Connect
provider, linked services and the national OneID."""
