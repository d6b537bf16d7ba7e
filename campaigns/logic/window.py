"""Sending windows: is it a good time to mail someone, given where they live?

A campaign may restrict sending to hours [start, end) and to some weekdays, in each
recipient's local time. The time zone comes from the contact's country (ISO 3166 alpha-2,
the first zone the tz database lists for it, e.g. FR → Europe/Paris, US → America/New_York);
contacts without a known country use the brand's time zone.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=1)
def country_time_zones() -> dict[str, str]:
    """{ISO country code: its first tz database zone} from zone.tab (tzdata package or the system)."""
    text = None
    try:
        from importlib.resources import files

        text = files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        for path in ("/usr/share/zoneinfo/zone.tab", "/usr/share/lib/zoneinfo/zone.tab"):
            try:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
                break
            except OSError:
                continue
    zones: dict[str, str] = {}
    for line in (text or "").splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            zones.setdefault(fields[0].upper(), fields[2])
    return zones


def window_is_set(*, hour_start, hour_end, days) -> bool:
    return hour_start is not None or hour_end is not None or bool(days)


def window_open_at(local: datetime, *, hour_start, hour_end, days) -> bool:
    """Whether the local time `local` is inside the window (hours may wrap past midnight)."""
    if days and local.weekday() not in days:
        return False
    start = 0 if hour_start is None else hour_start
    end = 24 if hour_end is None else hour_end
    if start == end:
        return True
    if start < end:
        return start <= local.hour < end
    return local.hour >= start or local.hour < end


def window_open_countries(*, now: datetime, brand_time_zone: str, hour_start, hour_end, days):
    """(countries whose local time is in the window now, whether the brand's zone is)."""
    now = now.astimezone(timezone.utc)
    by_zone: dict[str, bool] = {}
    open_countries = []
    for country, zone in country_time_zones().items():
        if zone not in by_zone:
            by_zone[zone] = window_open_at(now.astimezone(ZoneInfo(zone)), hour_start=hour_start,
                                           hour_end=hour_end, days=days)
        if by_zone[zone]:
            open_countries.append(country)
    brand_open = window_open_at(now.astimezone(ZoneInfo(brand_time_zone)), hour_start=hour_start,
                                hour_end=hour_end, days=days)
    return sorted(open_countries), brand_open


def window_next_check(*, now: datetime) -> datetime:
    """When to look again (windows open and close on the hour in every zone we use, or on
    the half/quarter hour in a few: so the next quarter hour)."""
    now = now.astimezone(timezone.utc).replace(second=0, microsecond=0)
    return now + timedelta(minutes=15 - now.minute % 15)
