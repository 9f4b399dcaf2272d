"""Sending.

The pipeline behind every send, one message through one account, the spending guard, cost
estimates, Zalo content, and the backup account (fallback at send time, resend after a failure).
"""
