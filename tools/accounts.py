"""What a user types into SMS Bridge's account forms to reach the sandbox's built-in accounts.

One table for the demo, scripts/develop and the browser test, so a changed form or sandbox
account is changed once. The credentials are the sandbox's own (sandbox/state.py).
"""

from __future__ import annotations

from typing import Any


def sandbox_forms(sandbox_url: str) -> dict[str, dict[str, Any]]:
    """Each gateway's config-flow input, by gateway key, for the sandbox at `sandbox_url`.

    The sandbox's address goes in the form's collapsed "advanced" section (the gateway address).
    """
    return {
        "fibo": {
            "client_no": "CL1609110001",
            "client_pass": "fibo-pass",
            "sender": "SMSBRIDGE",
            "secure_code": "fibo-secure",
            "advanced": {"base_url": sandbox_url},
        },
        "esms": {
            "api_key": "ESMS-API-KEY",
            "secret_key": "ESMS-SECRET-KEY",
            "brandname": "SMSBRIDGE",
            "sms_type": "2",
            "advanced": {"base_url": sandbox_url},
        },
        "fpt": {
            "client_id": "fpt-client-id",
            "client_secret": "fpt-client-secret",
            "brandname": "SMSBRIDGE",
            "environment": "sandbox",
            "auth_key": "fpt-auth-key",
            "advanced": {"base_url": sandbox_url},
        },
        "smspay": {
            "send_url": (
                f"{sandbox_url}/smspay/send?user=smspay-user&pass=smspay-pass"
                "&phone={phone}&message={message}&from={sender}&ext=1"
            ),
        },
    }
