"""Pure building blocks shared by every domain: money, clock, ids, events, errors. No I/O."""
