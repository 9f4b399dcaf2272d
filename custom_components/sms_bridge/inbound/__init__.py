"""Delivery reports coming in.

The webhook, the report router, the address the gateways post to (with the cloudhook), and the
repairs about reports.
"""
