"""What an entry keeps across restarts.

Its journal, the ledger of sent messages and its index, the reports already acted on, the
costs, and the FPT campaigns being followed.
"""
