"""TravelGo's request class: form posts are capped in fields before anything reads them.

Quart parses an urlencoded body into as many fields as it holds: a 1 MB post of `seats=&seats=&…` is 150,000
fields, and every later step (CSRF check, validation, re-rendering the form) would loop over them. Past
MAX_FORM_FIELDS the body is refused with 413 while it is parsed, before any of that work.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from quart import Request
from quart.formparser import FormDataParser
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

# The largest form TravelGo has is the admin vehicle editor (a few dozen fields); six passengers with three
# fields each, seats and contact details come to about thirty.
MAX_FORM_FIELDS = 200


class CappedFormDataParser(FormDataParser):
    async def _parse_urlencoded(self, body, mimetype, content_length, options) -> tuple[MultiDict, MultiDict]:
        try:
            pairs = parse_qsl((await body).decode(), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
        except ValueError as exc:
            if "Max number of fields" not in str(exc):
                raise
            raise RequestEntityTooLarge(f"This form sent more than {MAX_FORM_FIELDS} fields.") from exc
        return self.cls(pairs), self.cls()

    parse_functions = {
        **FormDataParser.parse_functions,
        "application/x-www-form-urlencoded": _parse_urlencoded,
        "application/x-url-encoded": _parse_urlencoded,
    }


class TravelGoRequest(Request):
    form_data_parser_class = CappedFormDataParser
