"""FPT advertising campaigns.

The sms_bridge.send_campaign action, and the follower that asks FPT about each campaign until
its results are in.
"""
