"""What the console calls the domains' codes (msgids): a member reads words, not codes. A code
that is not here yet (a new audit kind) is shown as it is rather than hidden."""

from __future__ import annotations

from yagona.platform.pages.core import N_

VERIFICATION = {"basic": N_("Basic: the phone is proven"), "verified": N_("Verified through OneID")}

# identity's security audit (`identity_audit_event.kind`) of a customer.
AUDIT_KINDS = {
    "customer_registered": N_("Registered"),
    "signed_in": N_("Signed in"),
    "signed_out": N_("Signed out"),
    "otp_sent": N_("Sign-in code sent"),
    "otp_failed": N_("Wrong sign-in code"),
    "otp_send_refused": N_("Sign-in code refused: too many"),
    "password_failed": N_("Wrong password"),
    "password_ip_locked": N_("Password attempts locked for an address"),
    "password_changed": N_("Password changed"),
    "totp_setup_started": N_("Authenticator setup started"),
    "totp_enabled": N_("Authenticator turned on"),
    "totp_changed": N_("Authenticator changed"),
    "totp_removed": N_("Authenticator turned off"),
    "totp_failed": N_("Wrong authenticator code"),
    "session_revoked": N_("Session ended"),
    "other_sessions_revoked": N_("Other sessions ended"),
    "new_device_notified": N_("New device: the customer was told"),
    "documents_accepted": N_("Documents accepted"),
    "language_changed": N_("Language changed"),
    "marketing_opt_in_changed": N_("Offers consent changed"),
    "oneid_verified": N_("Identity verified through OneID"),
    "phone_changed": N_("Phone number changed"),
    "service_linked": N_("Service linked"),
    "unauthorised_access_reported": N_("Unauthorised access reported"),
    "oauth_consent_given": N_("Access given to an application"),
    "token_revoked": N_("Application access revoked"),
    "refresh_token_reused": N_("A used application token was tried again"),
    "authorization_code_reused": N_("A used application code was tried again"),
}

# The wallet's operations (`wallet.schemas.OperationKind`), as on a receipt.
RECEIPT_KINDS = {
    "topup_card": N_("Top-up by card"),
    "topup_promo": N_("Promotional top-up"),
    "topup_payment": N_("Top-up through a payment system"),
    "topup_reversal": N_("Top-up returned to the payment system"),
    "transfer": N_("Transfer"),
    "payment": N_("Payment"),
    "forfeit": N_("Forfeited balance"),
    "return": N_("Return"),
    "redemption": N_("Redemption"),
}

# The access log's actions (privacy), as the console writes them.
ACCESS_ACTIONS = {
    "view": N_("Opened the customer"),
    "line.block.lost": N_("Line blocked: lost phone"),
    "line.block.administrative": N_("Line blocked: administrative"),
    "line.unblock": N_("Line unblocked"),
    "wallet.lost": N_("Wallet blocked: lost phone"),
    "wallet.freeze": N_("Wallet frozen"),
    "wallet.restore": N_("Wallet restored"),
    "wallet.identify": N_("Wallet identified (Premium)"),
    "home.activate": N_("Home internet request activated"),
    "home.close": N_("Home internet request closed"),
    "loyalty.view": N_("Opened the bonus points"),
    "loyalty.adjust": N_("Bonus points adjusted"),
    "timeline.view": N_("Opened the timeline"),
    "note.add": N_("Recorded a call note"),
    "request.close": N_("Closed a contact request"),
    "ticket.view": N_("Opened a ticket"),
    "ticket.reply": N_("Replied on a ticket"),
    "ticket.note": N_("Wrote an internal note on a ticket"),
    "ticket.status": N_("Changed a ticket's status"),
    "ticket.assign": N_("Assigned a ticket"),
    "ticket.merge": N_("Merged a duplicate ticket"),
    "ticket.open": N_("Opened a ticket on a call"),
    "ticket.priority": N_("Changed a ticket's priority"),
    "hold.place": N_("Placed a legal hold"),
    "hold.release": N_("Released a legal hold"),
}

# A home account's state as the console says it.
HOME_STATES = {
    "pending_identity": N_("Waiting for the OneID check"),
    "active": N_("Active"),
    "suspended": N_("Suspended: the balance is short of the fee"),
    "closed": N_("Closed"),
}
