"""eventsim: a local, Docker-free simulator of AWS event plumbing for Lambda functions."""

from eventsim._version import __version__
from eventsim.clock import Clock, RealClock, VirtualClock
from eventsim.config import SimulatorConfig
from eventsim.errors import AwsError, ConfigError, EventsimError
from eventsim.simulator import SettleTimeout, Simulator

__all__ = [
    "AwsError",
    "Clock",
    "ConfigError",
    "EventsimError",
    "RealClock",
    "SettleTimeout",
    "Simulator",
    "SimulatorConfig",
    "VirtualClock",
    "__version__",
]
