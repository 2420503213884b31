-- The log stream an invocation's output went to: what AWS_LAMBDA_LOG_STREAM_NAME and
-- context.log_stream_name told its handler, one stream per execution environment as on
-- Lambda. CloudWatch Logs' read operations (eventsim.services.logs) group invocations by it.
-- Rows recorded before this column existed keep '': their handlers were told a stream of their
-- own, which the reader derives again from started_at, version and span_id.
ALTER TABLE invocations ADD COLUMN log_stream TEXT NOT NULL DEFAULT '';
