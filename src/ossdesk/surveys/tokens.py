"""The credential in a survey link: the (ticket, solve event) pair, signed with the site's secret key
and timestamped (django.core.signing), so it cannot be guessed or altered and it expires."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

SALT = "ossdesk.surveys.link"
# How long a survey link works, counted from the solved mail.
SURVEY_TTL = timedelta(days=30)


class SurveyLinkError(Exception):
    """A survey link that cannot be used; `status` is the HTTP answer its page gets."""

    status = 400


class SurveyLinkInvalid(SurveyLinkError):
    status = 400


class SurveyLinkExpired(SurveyLinkError):
    status = 410


def survey_token(ticket_id: int, event_id: int) -> str:
    """A URL-safe signed token naming one solve of one ticket."""
    return signing.dumps([ticket_id, event_id], salt=SALT, compress=False)


def token_pair(token: str) -> tuple[int, int]:
    """The (ticket id, solve event id) a token names; raises if forged, malformed or expired."""
    try:
        value = signing.loads(token, salt=SALT, max_age=SURVEY_TTL)
    except signing.SignatureExpired:
        raise SurveyLinkExpired("This survey link has expired.") from None
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise SurveyLinkInvalid("This survey link is not valid.") from None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in value)
    ):
        raise SurveyLinkInvalid("This survey link is not valid.")
    return value[0], value[1]
