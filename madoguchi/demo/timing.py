"""When things happen in the demo history: customers write at all hours (most in the day and
the evening), agents answer in business hours (Asia/Tokyo by default)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

# Relative chance of a customer writing in each hour of the day.
_CUSTOMER_HOURS = [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 4, 6, 8, 8, 9, 8, 7, 7, 6, 6, 6, 7, 8, 8, 6, 3]
_WEEKDAY_WEIGHT = [1.0, 1.0, 0.95, 0.95, 0.9, 0.75, 0.7]  # Monday … Sunday
OPEN, CLOSE = time(9, 0), time(18, 0)  # the support desk, Monday to Friday
SATURDAY_OPEN, SATURDAY_CLOSE = time(10, 0), time(17, 0)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def contact_time(rng: random.Random, now: datetime, days: int) -> datetime:
    """A moment in the last `days` days when a customer got in touch; recent days a bit busier."""
    zone = local_zone()
    today = now.astimezone(zone).date()
    for _ in range(100):
        back = int(rng.triangular(0, days, 0) if rng.random() < 0.35 else rng.uniform(0, days))
        day = today - timedelta(days=back)
        if rng.random() > _WEEKDAY_WEIGHT[day.weekday()]:
            continue
        hour = rng.choices(range(24), weights=_CUSTOMER_HOURS)[0]
        moment = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), zone)
        if moment < now - timedelta(minutes=20):
            return moment
    return now - timedelta(hours=1)


def _hours(day: datetime) -> tuple[time, time] | None:
    weekday = day.weekday()
    if weekday < 5:
        return OPEN, CLOSE
    if weekday == 5:
        return SATURDAY_OPEN, SATURDAY_CLOSE
    return None


def agent_time(rng: random.Random, after: datetime, *, fast: bool = False) -> datetime:
    """When an agent answers something that arrived at `after`: within hours, minutes for
    chat-like channels and a few hours for mail; outside hours, the next opening plus a queue."""
    zone = local_zone()
    local = after.astimezone(zone)
    delay = (
        timedelta(minutes=rng.uniform(1, 12)) if fast else timedelta(minutes=rng.uniform(20, 240))
    )
    for _ in range(10):
        hours = _hours(local)
        if hours:
            start = datetime.combine(local.date(), hours[0], zone)
            end = datetime.combine(local.date(), hours[1], zone)
            if local < start:
                local = start + timedelta(minutes=rng.uniform(0, 90))
                return local
            if local + delay <= end:
                return local + delay
        local = datetime.combine(local.date() + timedelta(days=1), time(0, 0), zone)
    return after + delay


def customer_time(rng: random.Random, after: datetime, *, fast: bool = False) -> datetime:
    """When the customer answers: minutes on chat-like channels, hours to a day or two on mail."""
    if fast:
        return after + timedelta(minutes=rng.uniform(1, 25))
    return after + timedelta(
        hours=rng.choice([rng.uniform(0.5, 4), rng.uniform(4, 30), rng.uniform(20, 60)])
    )
