"""Infrastructure that knows no domain: settings, database, unit of work, outbox and bus, jobs, logging."""
