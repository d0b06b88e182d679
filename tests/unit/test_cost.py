"""`make cost` (tools/cost.py): the formulas against figures worked out by hand."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from tools.cost import (
    Load,
    Prices,
    break_even,
    instances_needed,
    serverful,
    serverless,
    tiered,
    total,
)

PRICES = Prices()
LOAD = Load()
TEN_MILLION = 10_000_000


def dollars(lines: list, what: str) -> float:
    (line,) = [line for line in lines if line.what == what]
    return float(line.dollars)


def test_serverless_at_ten_million_requests_by_hand() -> None:
    lines = serverless(TEN_MILLION, PRICES, LOAD)
    assert dollars(lines, "REST API requests") == pytest.approx(10 * 3.50)
    assert dollars(lines, "Lambda requests") == pytest.approx(10 * 0.20)
    # 10M x 0.5 GB x 0.015 s = 75,000 GB-s
    assert dollars(lines, "Lambda duration") == pytest.approx(75_000 * 0.0000166667)
    assert total(lines) == pytest.approx(35 + 2 + 1.25, abs=0.01)


def test_serverful_at_ten_million_requests_by_hand() -> None:
    lines = serverful(TEN_MILLION, PRICES, LOAD)
    assert dollars(lines, "HTTP API requests") == pytest.approx(10.00)
    assert dollars(lines, "ALB hours") == pytest.approx(730 * 0.0225)
    gb = TEN_MILLION * 2048 / 1024**3  # 19.07 GB through the ALB in the month
    assert dollars(lines, "ALB LCU") == pytest.approx(gb * 0.008)
    assert dollars(lines, "NAT gateway hours") == pytest.approx(730 * 0.045)
    assert dollars(lines, "NAT gateway data") == pytest.approx(TEN_MILLION * 512 / 1024**3 * 0.045)
    assert dollars(lines, "EC2 t3.small") == pytest.approx(2 * 730 * 0.0208)
    # 10M x 2 ms = 5.6 vCPU-hours, far under 2 x 2 vCPU x 20 % x 730 h = 584.
    assert dollars(lines, "EC2 CPU above baseline") == 0
    assert dollars(lines, "EBS gp3 root volumes") == pytest.approx(2 * 10 * 0.08)
    assert total(lines) == pytest.approx(91.61, abs=0.01)


def test_api_gateway_tiers() -> None:
    # 400M REST requests: 333M at $3.50, 67M at $2.80; HTTP: 300M at $1.00, 100M at $0.90.
    assert tiered(400e6, PRICES.rest_api_tiers)[0] == pytest.approx(333 * 3.5 + 67 * 2.8)
    assert tiered(400e6, PRICES.http_api_tiers)[0] == pytest.approx(300 + 90)
    assert tiered(0, PRICES.http_api_tiers) == (0.0, "0")


def test_instances_grow_with_the_peak_above_min_size() -> None:
    assert instances_needed(100_000, LOAD) == 2
    # 2 vCPU x 50 % / 2 ms = 500 req/s an instance; 3x peak of 2.628e9/month = 3,000 req/s.
    assert instances_needed(2_628_000_000, LOAD) == 6


def test_break_even_is_where_the_totals_cross() -> None:
    load = break_even(PRICES, LOAD)
    # By hand: serverful's fixed $81.25 (ALB, NAT, 2 x EC2, EBS) over the per-request
    # difference: REST 3.50 + Lambda 0.20 + 0.125 duration - HTTP 1.00 - ALB/NAT bytes.
    per_request_gap = (3.50 + 0.20 + 0.125 - 1.00) / 1e6 - (
        2048 / 1024**3 * 0.008 + 512 / 1024**3 * 0.045
    )
    assert load == pytest.approx((730 * (0.0225 + 0.045 + 2 * 0.0208) + 1.6) / per_request_gap)
    assert math.isclose(
        total(serverless(load, PRICES, LOAD)), total(serverful(load, PRICES, LOAD)), rel_tol=1e-6
    )


def make_cost(*args: str) -> str:
    command = [sys.executable, "-m", "tools.cost", *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_make_cost_prints_the_table_with_the_shared_lines() -> None:
    printed = make_cost("--requests", "10000000")
    assert "10,000,000 requests (us-east-1" in printed
    assert "total, serverless  $       55.06" in printed
    assert "total, serverful   $      108.42" in printed
    assert "break-even: 29,1" in printed
    # The Lambda duration can be given: 1M x 0.5 GB x 0.040 s = 20,000 GB-s = $0.33.
    printed = make_cost("--requests", "1000000", "--lambda-ms", "40")
    assert "1M x 0.5 GB x 40 ms = 20,000 GB-s x $0.0000166667" in printed
    assert "$       0.33" in printed
