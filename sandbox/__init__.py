"""A local imitation of the four SMS gateways (Fibo, eSMS, FPT, SMSPAY) for tests and demos."""

from .server import Sandbox
from .state import Account, CallbackTarget, Fault, Outcome, SandboxState, SentMessage

__all__ = [
    "Account",
    "CallbackTarget",
    "Fault",
    "Outcome",
    "Sandbox",
    "SandboxState",
    "SentMessage",
]
