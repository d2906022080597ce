"""Read an app's SAM, CloudFormation, CDK or serverless.yml template: functions and triggers."""

from __future__ import annotations
