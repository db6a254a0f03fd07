"""R-10: the deliver function is not in a VPC (egress filtered in code) and its role is minimal."""

from __future__ import annotations

from signals.local.template import load_template

ALLOWED_POLICIES = {
    ("DynamoDBCrudPolicy", "SignalsTable"),
    ("SQSSendMessagePolicy", "DeliveryQueue"),
    ("SQSSendMessagePolicy", "DeliveryDLQ"),  # exhausted deliveries are parked there explicitly
}


def _target(policy_args: dict) -> str:
    value = next(iter(policy_args.values()))
    if isinstance(value, dict):
        ref = value.get("Ref") or value.get("Fn::GetAtt")
        return ref[0] if isinstance(ref, list) else ref
    return str(value)


def test_deliver_function_has_no_vpc_and_only_delivery_permissions():
    function = load_template()["Resources"]["DeliverFunction"]["Properties"]
    assert "VpcConfig" not in function
    granted = set()
    for policy in function["Policies"]:
        assert isinstance(policy, dict) and "Statement" not in policy, "no hand-written statements"
        ((name, args),) = policy.items()
        granted.add((name, _target(args)))
    assert granted <= ALLOWED_POLICIES
    events = function["Events"]
    assert [e["Properties"]["FunctionResponseTypes"] for e in events.values()] == [
        ["ReportBatchItemFailures"]
    ]
