"""The SSRF guard: addresses and host spellings that must never be reached (RELIABILITY R-08)."""

from __future__ import annotations

import ipaddress

import pytest
from signals.http import BlockedDestination, ConnectError, check_host, is_public, parse_ip_literal

PUBLIC = ["93.184.216.34"]

# R-08's list, plus neighbours of each trick.
ATTACKS = [
    "127.0.0.1",
    "localhost",
    "LOCALHOST.",
    "api.localhost",
    "169.254.169.254",
    "2852039166",
    "0xa9fea9fe",
    "0251.0376.0251.0376",
    "0xa9.0xfe.0xa9.0xfe",
    "169.254.43518",
    "127.1",
    "0177.0.0.1",
    "0",
    "::1",
    "[::1]",
    "[::ffff:169.254.169.254]",
    "::ffff:127.0.0.1",
    "[64:ff9b::a9fe:a9fe]",
    "64:ff9b::10.0.0.1",
    "2002:a9fe:a9fe::1",
    "[fd00:ec2::254]",
    "fe80::1",
    "ff02::1",
    "::",
    "10.0.0.1",
    "172.16.5.4",
    "100.64.0.1",
    "192.168.1.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
]


@pytest.mark.parametrize("host", ATTACKS)
def test_attack_hosts_are_blocked(host: str) -> None:
    # Given a resolver that would answer a public address for any name
    # When the host is checked, Then it is blocked (literals are judged as written)
    with pytest.raises(BlockedDestination):
        check_host(host, resolver=lambda name: PUBLIC)


@pytest.mark.parametrize(
    "answers",
    [["169.254.169.254"], ["127.0.0.1"], ["93.184.216.34", "10.0.0.1"], ["::ffff:192.168.0.1"], ["fd00::1"]],
)
def test_a_name_resolving_to_any_private_address_is_blocked(answers: list[str]) -> None:
    with pytest.raises(BlockedDestination):
        check_host("feeds.example.com", resolver=lambda name: answers)


def test_public_names_and_literals_pass() -> None:
    assert check_host("feeds.example.com", resolver=lambda name: ["93.184.216.34", "2606:4700::1111"]) == [
        ipaddress.ip_address("93.184.216.34"),
        ipaddress.ip_address("2606:4700::1111"),
    ]
    assert check_host("8.8.8.8") == [ipaddress.ip_address("8.8.8.8")]
    # NAT64 of a PUBLIC address is public
    assert is_public(ipaddress.ip_address("64:ff9b::808:808"))


def test_allow_loopback_admits_loopback_only() -> None:
    assert check_host("127.0.0.1", allow_loopback=True) == [ipaddress.ip_address("127.0.0.1")]
    assert check_host("localhost", allow_loopback=True, resolver=lambda name: ["127.0.0.1", "::1"])
    for host in ("10.0.0.1", "169.254.169.254", "192.168.1.1", "fd00:ec2::254"):
        with pytest.raises(BlockedDestination):
            check_host(host, allow_loopback=True)


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("2852039166", "169.254.169.254"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("0251.0376.0251.0376", "169.254.169.254"),
        ("127.1", "127.0.0.1"),
        ("10.1.2", "10.1.0.2"),
        ("1.2.3.4.", "1.2.3.4"),
        ("[::ffff:1.2.3.4]", "::ffff:1.2.3.4"),
    ],
)
def test_odd_spellings_parse_like_a_resolver(spelling: str, address: str) -> None:
    assert parse_ip_literal(spelling) == ipaddress.ip_address(address)


@pytest.mark.parametrize("name", ["example.com", "1.2.3.4.5", "256.1.1.1", "0x1g", "1..2"])
def test_names_are_not_literals(name: str) -> None:
    assert parse_ip_literal(name) is None


def test_a_name_without_addresses_is_a_connect_error() -> None:
    with pytest.raises(ConnectError):
        check_host("nothing.example.com", resolver=lambda name: [])
