"""moto set-up: the verified sender identity."""

from __future__ import annotations

import boto3


def create() -> None:
    boto3.client("ses").verify_email_identity(EmailAddress="welcome@example.com")
