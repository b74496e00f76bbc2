-- A decision the source takes once its manifest may be in a target's hands (the handoff completed on an
-- acknowledgement, or aborted after it expired) is published into the location as an outcome object, so that a target
-- that finds the source's abort marker next to its own acknowledgement learns which way the source went. false from
-- such a decision until that object is written; the worker writes it (again) until then.
ALTER TABLE handoffs ADD COLUMN outcome_published boolean NOT NULL DEFAULT true;
