"""CloudWatch Logs: the logs functions wrote, read as AWS serves them."""
