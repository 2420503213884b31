"""The views of each service's resources: one module per service, each a route table."""

from aiohttp import web

from eventsim.console.resources import dynamodb, kinesis, s3, sns, sqs

__all__ = ["routes"]

routes: list[web.RouteTableDef] = [s3.routes, sns.routes, sqs.routes, dynamodb.routes,
                                   kinesis.routes]
