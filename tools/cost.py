"""`make cost REQUESTS=<per month>`: each path's monthly AWS bill at that load, every
line with its formula, and the break-even load (docs/choosing.md explains the figures).

Prices: AWS's public on-demand prices for us-east-1 (PRICE_DATE), no free tier, no
Savings Plans. The front door (CloudFront) and the table (DynamoDB on demand) are the
same on both paths: they are shown, and cancel out of the break-even.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass

REGION = "us-east-1"
PRICE_DATE = "December 2026"
HOURS_PER_MONTH = 730  # AWS's own convention in its calculator
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
MILLION = 1_000_000
GB = 1024**3


@dataclass(frozen=True)
class Prices:
    """USD, us-east-1, on demand."""

    lambda_per_million_requests: float = 0.20
    lambda_per_gb_second: float = 0.0000166667  # x86
    # API Gateway, per million requests, by monthly tier: (requests up to, price).
    rest_api_tiers: tuple[tuple[float, float], ...] = (
        (333 * MILLION, 3.50),
        (1_000 * MILLION, 2.80),
        (20_000 * MILLION, 2.38),
        (math.inf, 1.51),
    )
    http_api_tiers: tuple[tuple[float, float], ...] = ((300 * MILLION, 1.00), (math.inf, 0.90))
    nat_gateway_per_hour: float = 0.045
    nat_gateway_per_gb: float = 0.045
    alb_per_hour: float = 0.0225
    alb_per_lcu_hour: float = 0.008
    ec2_t3_small_per_hour: float = 0.0208  # Linux
    t3_surplus_per_vcpu_hour: float = 0.05  # unlimited mode, CPU above the baseline
    ebs_gp3_per_gb_month: float = 0.08
    dynamodb_per_million_writes: float = 0.625  # write request units
    dynamodb_per_million_reads: float = 0.125  # read request units
    cloudfront_per_10k_https: float = 0.0100  # United States, Mexico, Canada
    cloudfront_per_gb_out: float = 0.085  # first 10 TB a month


@dataclass(frozen=True)
class Load:
    """What a request costs in resources: measured here, from the stacks' settings,
    or assumed (docs/choosing.md says which)."""

    lambda_memory_mb: int = 512  # .chalice/config.json, prod
    lambda_duration_ms: float = 15.0  # billed duration; measured through the door, rounded up
    instance_type: str = "t3.small"  # infra/serverful/variables.tf
    min_instances: int = 2  # infra/serverful/variables.tf min_size
    vcpus: int = 2  # t3.small
    t3_baseline: float = 0.20  # a t3.small's baseline CPU per vCPU
    cpu_target: float = 0.50  # the ASG's target tracking (cpu_target_percent)
    root_volume_gb: int = 10  # infra/modules/compute root_volume_size_gb
    nat_gateways: int = 1  # infra/serverful single_nat_gateway = true
    cpu_ms_per_request: float = 2.0  # the worker's CPU, docs/wsgi.md (1.6-2.0 ms measured)
    peak_to_average: float = 3.0  # assumption: instances sized for 3x the month's average
    bytes_per_request: int = 2048  # assumption: request + response with headers
    response_bytes: int = 1024  # assumption: what CloudFront sends back
    nat_bytes_per_request: int = 512  # assumption: the log line / metrics sent through NAT
    read_share: float = 0.8  # assumption: 80 % reads
    rru_per_read: float = 1.0  # a consistent GetItem / Query page under 4 KB
    wru_per_write: float = 4.0  # TransactWriteItems of 2 items, 2 WRU each (docs/data-model.md)


@dataclass(frozen=True)
class Line:
    what: str
    formula: str
    dollars: float


def tiered(requests: float, tiers: tuple[tuple[float, float], ...]) -> tuple[float, str]:
    """API Gateway's monthly tiers: (dollars, formula)."""
    dollars, below, parts = 0.0, 0.0, []
    for upto, per_million in tiers:
        count = min(requests, upto) - below
        if count <= 0:
            break
        dollars += count / MILLION * per_million
        parts.append(f"{count / MILLION:,.3g}M x ${per_million:.2f}")
        below = upto
    return dollars, " + ".join(parts) or "0"


def shared(requests: float, p: Prices, load: Load) -> list[Line]:
    """The front door and the table: the same on both paths."""
    reads = requests * load.read_share
    writes = requests - reads
    out_gb = requests * load.response_bytes / GB
    return [
        Line(
            "CloudFront requests",
            f"{requests / 10_000:,.0f} x 10k x ${p.cloudfront_per_10k_https}",
            requests / 10_000 * p.cloudfront_per_10k_https,
        ),
        Line(
            "CloudFront data out",
            f"{out_gb:,.1f} GB x ${p.cloudfront_per_gb_out}",
            out_gb * p.cloudfront_per_gb_out,
        ),
        Line(
            "DynamoDB reads",
            f"{reads / MILLION:,.3g}M x {load.rru_per_read} RRU"
            f" x ${p.dynamodb_per_million_reads}/M",
            reads * load.rru_per_read / MILLION * p.dynamodb_per_million_reads,
        ),
        Line(
            "DynamoDB writes",
            f"{writes / MILLION:,.3g}M x {load.wru_per_write} WRU"
            f" x ${p.dynamodb_per_million_writes}/M",
            writes * load.wru_per_write / MILLION * p.dynamodb_per_million_writes,
        ),
    ]


def serverless(requests: float, p: Prices, load: Load) -> list[Line]:
    gb_seconds = requests * load.lambda_memory_mb / 1024 * load.lambda_duration_ms / 1000
    api, api_formula = tiered(requests, p.rest_api_tiers)
    return [
        Line("REST API requests", api_formula, api),
        Line(
            "Lambda requests",
            f"{requests / MILLION:,.3g}M x ${p.lambda_per_million_requests}",
            requests / MILLION * p.lambda_per_million_requests,
        ),
        Line(
            "Lambda duration",
            f"{requests / MILLION:,.3g}M x {load.lambda_memory_mb / 1024:g} GB"
            f" x {load.lambda_duration_ms:g} ms = {gb_seconds:,.0f} GB-s"
            f" x ${p.lambda_per_gb_second:.10f}",
            gb_seconds * p.lambda_per_gb_second,
        ),
    ]


def instances_needed(requests: float, load: Load) -> int:
    """Enough t3.small instances for the peak at the ASG's CPU target, min_size at least."""
    peak_per_second = requests / SECONDS_PER_MONTH * load.peak_to_average
    per_instance = load.vcpus * load.cpu_target * 1000 / load.cpu_ms_per_request
    return max(load.min_instances, math.ceil(peak_per_second / per_instance))


def serverful(requests: float, p: Prices, load: Load) -> list[Line]:
    instances = instances_needed(requests, load)
    api, api_formula = tiered(requests, p.http_api_tiers)
    gb_through = requests * load.bytes_per_request / GB
    # The ALB's LCU: processed bytes (1 GB an hour each) dominate here; connections come
    # kept alive from the VPC link and one listener rule is under the 10 free ones.
    lcu = gb_through / HOURS_PER_MONTH
    vcpu_hours = requests * load.cpu_ms_per_request / 1000 / 3600
    baseline_hours = instances * load.vcpus * load.t3_baseline * HOURS_PER_MONTH
    surplus = max(0.0, vcpu_hours - baseline_hours)
    nat_gb = requests * load.nat_bytes_per_request / GB
    return [
        Line("HTTP API requests", api_formula, api),
        Line(
            "ALB hours",
            f"{HOURS_PER_MONTH} h x ${p.alb_per_hour}",
            HOURS_PER_MONTH * p.alb_per_hour,
        ),
        Line(
            "ALB LCU",
            f"{lcu:.3f} LCU ({gb_through:,.1f} GB / {HOURS_PER_MONTH} h) x {HOURS_PER_MONTH} h"
            f" x ${p.alb_per_lcu_hour}",
            lcu * HOURS_PER_MONTH * p.alb_per_lcu_hour,
        ),
        Line(
            "NAT gateway hours",
            f"{load.nat_gateways} x {HOURS_PER_MONTH} h x ${p.nat_gateway_per_hour}",
            load.nat_gateways * HOURS_PER_MONTH * p.nat_gateway_per_hour,
        ),
        Line(
            "NAT gateway data",
            f"{nat_gb:,.1f} GB x ${p.nat_gateway_per_gb}",
            nat_gb * p.nat_gateway_per_gb,
        ),
        Line(
            f"EC2 {load.instance_type}",
            f"{instances} x {HOURS_PER_MONTH} h x ${p.ec2_t3_small_per_hour}",
            instances * HOURS_PER_MONTH * p.ec2_t3_small_per_hour,
        ),
        Line(
            "EC2 CPU above baseline",
            f"max(0, {vcpu_hours:,.0f} - {baseline_hours:,.0f}) vCPU-h"
            f" x ${p.t3_surplus_per_vcpu_hour}",
            surplus * p.t3_surplus_per_vcpu_hour,
        ),
        Line(
            "EBS gp3 root volumes",
            f"{instances} x {load.root_volume_gb} GB x ${p.ebs_gp3_per_gb_month}",
            instances * load.root_volume_gb * p.ebs_gp3_per_gb_month,
        ),
    ]


def total(lines: list[Line]) -> float:
    return sum(line.dollars for line in lines)


def break_even(p: Prices, load: Load) -> float:
    """The monthly requests above which the serverful path costs less (bisection: the
    serverless path's cost per request is the higher one)."""

    def gap(requests: float) -> float:
        return total(serverless(requests, p, load)) - total(serverful(requests, p, load))

    low, high = 1.0, 1e12
    if gap(high) < 0:
        return math.inf
    for _ in range(200):
        middle = math.sqrt(low * high)
        low, high = (middle, high) if gap(middle) < 0 else (low, middle)
    return high


def report(requests: float, p: Prices = Prices(), load: Load = Load()) -> str:
    lines = [
        f"Monthly cost at {requests:,.0f} requests ({REGION}, on-demand prices of {PRICE_DATE},"
        " no free tier)",
        "",
    ]
    sections: list[tuple[str, list[Line]]] = [
        ("serverless: API Gateway REST API + Lambda", serverless(requests, p, load)),
        ("serverful: HTTP API + VPC link + ALB + EC2 ASG + NAT", serverful(requests, p, load)),
        ("both: CloudFront front door + DynamoDB on demand", shared(requests, p, load)),
    ]
    for title, section in sections:
        lines.append(f"{title}")
        for line in section:
            lines.append(f"  {line.what:<24} {line.formula:<60} ${line.dollars:>11,.2f}")
        lines.append(f"  {'subtotal':<85} ${total(section):>11,.2f}")
    common = total(sections[2][1])
    lines += [
        "",
        f"total, serverless  ${total(sections[0][1]) + common:>12,.2f}",
        f"total, serverful   ${total(sections[1][1]) + common:>12,.2f}",
        f"break-even: {break_even(p, load):,.0f} requests a month"
        f" ({break_even(p, load) / SECONDS_PER_MONTH:,.1f} a second on average);"
        " below it serverless costs less",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=float, required=True, help="API requests a month")
    parser.add_argument(
        "--lambda-ms",
        type=float,
        default=Load.lambda_duration_ms,
        help="the function's billed duration per request (default: %(default)s)",
    )
    args = parser.parse_args()
    if args.requests < 0 or args.lambda_ms <= 0:
        parser.error("--requests must be 0 or more and --lambda-ms more than 0")
    print(report(args.requests, load=Load(lambda_duration_ms=args.lambda_ms)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
