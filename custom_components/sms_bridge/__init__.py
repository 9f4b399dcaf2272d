"""SMS Bridge: SMS through FiboSMS, eSMS.vn, FPT SMS Brandname and SMSPAY."""
