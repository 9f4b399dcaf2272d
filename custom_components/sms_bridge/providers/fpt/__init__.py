"""FPT SMS Brandname.

The client, its wire format, advertising campaigns, their results and FPT's sending hours.
"""
