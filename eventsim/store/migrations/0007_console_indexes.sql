-- The console's lookups: an invocation by request id (its detail page, a trace by request id),
-- newest invocations of one status, and the asynchronous outcomes of a request (traces).
-- Without these each is a scan of the whole table, which at 100,000 invocations is the
-- difference between a page in a millisecond and one in a second.
CREATE INDEX invocations_request ON invocations (request_id);
CREATE INDEX invocations_status ON invocations (status, seq);
CREATE INDEX async_outcomes_request ON async_outcomes (request_id);
