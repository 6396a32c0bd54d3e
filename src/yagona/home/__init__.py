"""Home internet and IPTV: accounts connected after the national OneID check, billed monthly in advance."""
