"""A local stub of Twilio's Messages endpoint (the documented shape), on a free loopback port.

`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded To, From, Body, HTTP basic auth with the
account SID and auth token: 201 with the message resource, 400 with Twilio's error body for an invalid To number
(code 21211), 401 (code 20003) for wrong credentials.
"""

from __future__ import annotations

import base64
import re
import secrets
from urllib.parse import parse_qs

from ..stubs import JsonHandler, serve

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "stub-auth-token"
VALID_TO = re.compile(r"^(whatsapp:)?\+[1-9][0-9]{7,14}$")


class TwilioStub:
    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests: list[dict] = []  # {"path", "headers", "form"}
        self.messages: list[dict] = []
        self.refuse_numbers: set[str] = set()  # To values answered with 400 (21211) although well formed
        stub = self

        class Handler(JsonHandler):
            def _error(self, status: int, code: int, message: str) -> None:
                self._answer(status, {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status})  # fmt: skip

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                stub.requests.append({"path": self.path, "headers": dict(self.headers), "form": form})
                match = re.fullmatch(r"/2010-04-01/Accounts/([^/]+)/Messages\.json", self.path)
                if not match:
                    return self._error(404, 20404, "The requested resource was not found")
                expected = base64.b64encode(f"{stub.account_sid}:{stub.auth_token}".encode()).decode()
                if match.group(1) != stub.account_sid or self.headers.get("Authorization") != f"Basic {expected}":
                    return self._error(401, 20003, "Authenticate")
                to, sender, body = form.get("To", ""), form.get("From", ""), form.get("Body", "")
                if not body:
                    return self._error(400, 21602, "Message body is required.")
                if not VALID_TO.match(to) or to in stub.refuse_numbers:
                    return self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
                message = {"sid": "SM" + secrets.token_hex(16), "account_sid": stub.account_sid, "status": "queued",
                           "to": to, "from": sender, "body": body, "num_segments": "1", "direction": "outbound-api",
                           "api_version": "2010-04-01", "error_code": None, "error_message": None}  # fmt: skip
                stub.messages.append(message)
                self._answer(201, message)

        self.server, self.url = serve(Handler)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
