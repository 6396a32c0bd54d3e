"""Customer relationship: one timeline of every contact with a customer in any channel
(interactions) and the requests a customer makes of the call-centre. Lower domains reach
it by their events; channels in the composition root call its service."""
