"""Amazon SQS: standard and FIFO queues, messages, redrive to dead-letter queues."""

from eventsim.services.sqs.service import SqsService

__all__ = ["SqsService"]
