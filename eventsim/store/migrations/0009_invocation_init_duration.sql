-- A cold start's init phase (importing the handler module, or an environment's start until its
-- first /next), as the REPORT line's "Init Duration": stored so that the console and traces
-- can tell cold invocations from warm ones after the fact. NULL for a warm start.
ALTER TABLE invocations ADD COLUMN init_duration_ms REAL;
