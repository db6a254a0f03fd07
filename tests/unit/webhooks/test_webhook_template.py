"""R-10: the deliver function is not in a VPC (egress filtered in code) and its role is minimal."""

from __future__ import annotations

from signals.local.template import load_template

# Least privilege (issue 12): explicit statements only, on these resources only; the actions are
# listed in tests/unit/test_template_iam.py.
ALLOWED_RESOURCES = {
    "SignalsTable",
    "DeliveryQueue",
    "DeliveryDLQ",  # exhausted deliveries are parked there explicitly
}


def _target(resource: dict) -> str:
    return resource["Fn::GetAtt"][0]


def test_deliver_function_has_no_vpc_and_only_delivery_permissions():
    function = load_template()["Resources"]["DeliverFunction"]["Properties"]
    assert "VpcConfig" not in function
    granted = set()
    for policy in function["Policies"]:
        assert isinstance(policy, dict) and set(policy) == {"Statement"}, "no SAM policy templates"
        for statement in policy["Statement"]:
            resources = statement["Resource"]
            granted |= {_target(r) for r in (resources if isinstance(resources, list) else [resources])}
    assert granted <= ALLOWED_RESOURCES
    events = function["Events"]
    assert [e["Properties"]["FunctionResponseTypes"] for e in events.values()] == [
        ["ReportBatchItemFailures"]
    ]
