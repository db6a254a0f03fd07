"""The moto process's keep-alive server answers as moto's own server does, over fewer connections."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


@pytest.fixture
def servers():
    from moto.server import ThreadedMotoServer
    from signals.local import moto_patches
    from signals.local.moto_http import make_moto_server

    moto_patches.install()
    started = [
        make_moto_server("127.0.0.1", 0),
        ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False),
    ]
    for server in started:
        server.start()
    yield [f"http://{host}:{port}" for host, port in (s.get_host_and_port() for s in started)]
    for server in started:
        server.stop()


def _clients(url: str) -> dict:
    config = Config(retries={"max_attempts": 1})
    return {
        name: boto3.client(name, endpoint_url=url, region_name="us-east-1", config=config)
        for name in ("s3", "sqs", "dynamodb")
    }


def _exercise(url: str, bucket: str) -> list:
    """The same calls on one server; what each answered (without request ids and dates)."""
    c = _clients(url)
    seen: list = []
    c["s3"].create_bucket(Bucket=bucket)
    c["s3"].put_object(Bucket=bucket, Key="k", Body=b"x" * 70_000, ContentType="application/json")
    got = c["s3"].get_object(Bucket=bucket, Key="k")
    seen.append((got["Body"].read() == b"x" * 70_000, got["ContentLength"], got["ContentType"]))
    head = c["s3"].head_object(Bucket=bucket, Key="k")
    seen.append((head["ContentLength"], head["ETag"]))
    for call in (
        lambda: c["s3"].head_object(Bucket=bucket, Key="none"),
        lambda: c["s3"].get_object(Bucket=bucket, Key="none"),
    ):
        with pytest.raises(ClientError) as error:
            call()
        seen.append(error.value.response["Error"]["Code"])
    c["s3"].put_object(Bucket=bucket, Key="empty", Body=b"")
    seen.append(c["s3"].get_object(Bucket=bucket, Key="empty")["Body"].read())
    c["s3"].delete_object(Bucket=bucket, Key="empty")  # 204, no body
    queue = c["sqs"].create_queue(QueueName=bucket)["QueueUrl"]
    c["sqs"].send_message(QueueUrl=queue, MessageBody="hello")
    seen.append([m["Body"] for m in c["sqs"].receive_message(QueueUrl=queue)["Messages"]])
    with pytest.raises(ClientError) as error:
        c["dynamodb"].get_item(TableName="missing", Key={"pk": {"S": "a"}})
    seen.append(error.value.response["Error"]["Code"])
    seen.append(c["dynamodb"].list_tables()["TableNames"])
    return seen


def test_keepalive_server_answers_as_moto_does(servers):
    keep_alive, plain = servers
    assert _exercise(keep_alive, "bucket-a") == _exercise(plain, "bucket-b")


def test_keepalive_server_reuses_one_connection():
    import http.client

    from signals.local.moto_http import make_moto_server

    server = make_moto_server("127.0.0.1", 0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        connection = http.client.HTTPConnection(host, port)
        sockets = set()
        for n in range(5):
            # a body the app does not read (moto's index page): the next request must still parse
            connection.request("POST", "/moto-api/reset", body=b"ignored" * n)
            response = connection.getresponse()
            assert response.status == 200 and response.getheader("Connection") is None
            response.read()
            sockets.add(id(connection.sock))
        assert len(sockets) == 1 and connection.sock is not None
        # a chunked request body is read to its last chunk
        connection.request("POST", "/moto-api/reset", body=iter([b"ab", b"cd"]), encode_chunked=True)
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        connection.request("GET", "/moto-api/data.json")
        response = connection.getresponse()
        assert response.status == 200 and response.read().startswith(b"{")
    finally:
        server.stop()


def test_gsi_queries_between_writes_see_every_write():
    # Given moto in server mode (the demo's), a table with a GSI, and a burst of GSI Queries
    # (the second read-only one after a write groups the index partitions once: patch 8.)
    from signals.local import moto_patches
    from signals.local.moto_http import make_moto_server

    moto_patches.install()
    server = make_moto_server("127.0.0.1", 0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        db = boto3.client("dynamodb", endpoint_url=f"http://{host}:{port}", region_name="us-east-1")
        keys = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
        db.create_table(
            TableName="gsi-burst",
            KeySchema=keys,
            AttributeDefinitions=[
                {"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "g", "gs")
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "gsi1",
                    "KeySchema": [
                        {"AttributeName": "g", "KeyType": "HASH"},
                        {"AttributeName": "gs", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )

        def put(n: int, partition: str) -> None:
            item = {"pk": {"S": f"i{n}"}, "sk": {"S": "X"}, "g": {"S": partition}, "gs": {"S": f"{n:02d}"}}
            db.put_item(TableName="gsi-burst", Item=item)

        def partition(name: str) -> list[str]:
            seen, start = [], None
            while True:
                kwargs = {"ExclusiveStartKey": start} if start else {}
                got = db.query(
                    TableName="gsi-burst",
                    IndexName="gsi1",
                    KeyConditionExpression="g = :p",
                    ExpressionAttributeValues={":p": {"S": name}},
                    Limit=2,
                    **kwargs,
                )
                seen += [i["gs"]["S"] for i in got["Items"]]
                start = got.get("LastEvaluatedKey")
                if not start:
                    return seen

        for n, name in enumerate("ABABA"):
            put(n, name)
        # When the same partitions are read again and again, with writes in between
        assert [partition("A"), partition("B"), partition("A"), partition("C")] == [
            ["00", "02", "04"],
            ["01", "03"],
            ["00", "02", "04"],
            [],
        ]
        assert moto_patches._GSI_CACHE["groups"]  # the later ones were read from the grouping
        put(5, "A")
        db.update_item(
            TableName="gsi-burst",
            Key={"pk": {"S": "i0"}, "sk": {"S": "X"}},
            UpdateExpression="SET g = :b",
            ExpressionAttributeValues={":b": {"S": "B"}},
        )
        db.delete_item(TableName="gsi-burst", Key={"pk": {"S": "i2"}, "sk": {"S": "X"}})
        # Then every read after a write sees it
        assert [partition("A"), partition("B"), partition("A"), partition("B")] == [
            ["04", "05"],
            ["00", "01", "03"],
            ["04", "05"],
            ["00", "01", "03"],
        ]
    finally:
        server.stop()
