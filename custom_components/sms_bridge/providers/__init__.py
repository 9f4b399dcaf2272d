"""Gateway clients for FiboSMS, eSMS.vn, FPT SMS Brandname and SMSPAY (no Home Assistant import)."""
