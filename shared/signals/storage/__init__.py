"""Adapters to AWS: S3 archive, DynamoDB repositories, SQS queues. Domain code never imports boto3."""
