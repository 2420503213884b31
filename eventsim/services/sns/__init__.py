"""SNS: topics, subscriptions, filter policies and the fan-out of each publish."""

from eventsim.services.sns.service import SNSService

__all__ = ["SNSService"]
