"""The forms after the config flow.

Options, recipients (subentries), the per-gateway account forms and live account checks, and
the Zalo parts of eSMS's forms.
"""
