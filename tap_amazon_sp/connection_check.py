"""`--test`: prove the connection without spending Amazon's report quota.

The SDK's test syncs one record of every stream: for this tap that is about 50 createReport calls
(Amazon refills one a minute), and streams whose roles the account lacks forced on. This check
instead makes one cheap call per API family the selected streams use, requests no report, and says
in one line per check what it proved:

1. Login with Amazon: the client ID, client secret and refresh token are accepted.
2. Sellers API (Seller accounts; vendors cannot call it): the region's host answers, and which
   marketplaces the account takes part in, against the configured ones.
3. Reports API: getReports for the selected report types, a page of one report.
4. Every other API the selected streams read (Orders, Finances, FBA Inventory, Replenishment): the
   first page of the newest window of one of its streams; a 403 names the streams whose role the
   app lacks.
5. Data Kiosk: getQueries, a page of one query (creating one would spend createQuery's quota); a
   403 means the app lacks the Brand Analytics role.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tap_amazon_sp import marketplaces
from tap_amazon_sp.client import RestStream
from tap_amazon_sp.datakiosk_streams import DataKioskStream
from tap_amazon_sp.errors import APIError, AuthError, TapError
from tap_amazon_sp.operations import APIS, OPERATIONS, Api
from tap_amazon_sp.progress import count
from tap_amazon_sp.report_streams import ReportStream

if TYPE_CHECKING:
    from singer_sdk import Stream

    from tap_amazon_sp.client import Runtime
    from tap_amazon_sp.settings import Settings

REPORTS = "reports_2021-06-30"
SELLERS = "sellers"
DATA_KIOSK = "dataKiosk_2023-11-15"
# getReports takes at most 10 report types and 10 marketplaces.
LISTED_MAX = 10


@dataclass
class Outcome:
    """One check: whether it passed, and the line that says what it proved."""

    passed: bool
    line: str


class ConnectionCheck:
    """The checks of one `--test` run over the selected streams."""

    def __init__(self, runtime: Runtime, streams: Sequence[Stream], logger: logging.Logger) -> None:
        self.runtime = runtime
        self.settings: Settings = runtime.settings
        self.streams = list(streams)
        self.logger = logger
        self.outcomes: list[Outcome] = []

    def run(self) -> bool:
        """Run every check, logging a line each; True when all passed."""
        if self._say(self._login()).passed:
            if self.settings.account_type == "Seller":
                self._say(self._sellers())
            reports = [s for s in self.streams if isinstance(s, ReportStream)]
            if reports:
                self._say(self._reports(reports))
            for family, streams in self._rest_families().items():
                self._say(self._family(family, streams))
            kiosk = [s.name for s in self.streams if isinstance(s, DataKioskStream)]
            if kiosk:
                self._say(self._kiosk(kiosk))
        failed = [o for o in self.outcomes if not o.passed]
        client = self.runtime.client
        cost = (
            f"{count(client.request_count, 'SP-API request')}, "
            f"{count(client.token.requests_sent, 'Login with Amazon request')}; no report requested"
        )
        if failed:
            self.logger.error("Connection test failed: %d of %d checks (%s)", len(failed), len(self.outcomes), cost)
        else:
            self.logger.info("Connection test passed: %d checks (%s)", len(self.outcomes), cost)
        return not failed

    def _say(self, outcome: Outcome) -> Outcome:
        self.outcomes.append(outcome)
        self.logger.log(logging.INFO if outcome.passed else logging.ERROR, "Connection test: %s", outcome.line)
        return outcome

    # ---- the checks ---------------------------------------------------------------------------

    def _login(self) -> Outcome:
        try:
            self.runtime.client.token.get()
        except TapError as exc:
            return Outcome(False, f"Login with Amazon: {exc}")
        return Outcome(
            True,
            f"Login with Amazon accepted the client ID ({self.settings.client_id}), the client "
            "secret and the refresh token",
        )

    def _sellers(self) -> Outcome:
        host = self.settings.sp_api_url
        try:
            body = self.runtime.client.call("getMarketplaceParticipations")
        except TapError as exc:
            return Outcome(False, f"Sellers API on {host}: {exc}")
        taking_part: list[str] = []
        idle: list[str] = []
        for entry in body.get("payload") or []:
            market_id = str((entry.get("marketplace") or {}).get("id") or "")
            participating = (entry.get("participation") or {}).get("isParticipating")
            (taking_part if participating else idle).append(market_id)
        missing = [m for m in self.settings.marketplace_ids if m not in taking_part]
        line = f"Sellers API on {host}: the account takes part in {_markets(taking_part) or 'no marketplace'}" + (
            f" (not in {_markets(idle)})" if idle else ""
        )
        if missing:
            return Outcome(
                False,
                f"{line}; configured but not reached: {_markets(missing)} (check marketplace_ids "
                "and region, or the account's marketplaces in Seller Central)",
            )
        configured = _markets(self.settings.marketplace_ids)
        return Outcome(True, f"{line}; every configured marketplace is reached ({configured})")

    def _reports(self, streams: list[ReportStream]) -> Outcome:
        types = list(dict.fromkeys(s.spec.report_type for s in streams))
        markets = list(self.settings.marketplace_ids[:LISTED_MAX])
        params = {"reportTypes": types[:LISTED_MAX], "marketplaceIds": markets, "pageSize": 1}
        try:
            self.runtime.client.call("getReports", params=params)
        except TapError as exc:
            return self._refused(REPORTS, [s.name for s in streams], exc)
        selected = count(len(streams), "selected report stream")
        return Outcome(
            True,
            f"Reports API answered getReports in {_markets(markets)} for {selected}; Amazon checks "
            "each report type's role only when a report is created (one it refuses ends FATAL), "
            "which this test does not do",
        )

    def _kiosk(self, names: list[str]) -> Outcome:
        try:
            self.runtime.client.call("getQueries", params={"pageSize": 1})
        except TapError as exc:
            return self._refused(DATA_KIOSK, names, exc)
        return Outcome(
            True,
            f"Data Kiosk API answered getQueries for {', '.join(names)}; Amazon checks a dataset's own roles "
            "(Economics: Selling Partner Insights) only when a query is created, which this test does not do",
        )

    def _rest_families(self) -> dict[str, list[RestStream]]:
        families: dict[str, list[RestStream]] = {}
        for stream in self.streams:
            if not isinstance(stream, RestStream) or not stream.operation:
                continue
            api = OPERATIONS[stream.operation].api
            if api != SELLERS:  # the Sellers API check covers it
                families.setdefault(api, []).append(stream)
        return families

    def _family(self, api: str, streams: list[RestStream]) -> Outcome:
        name = APIS.get(api, Api(api)).title
        names = [s.name for s in streams]
        # A child stream is read from its parent's requests.
        probes = [s for s in streams if s.parent_stream_type is None] or streams
        try:
            for stream in probes:
                if stream.probe() is not None:
                    break
            else:
                return Outcome(
                    True,
                    f"{name}: Amazon serves {', '.join(names)} in none of the configured "
                    "marketplaces; nothing to check",
                )
        except TapError as exc:
            return self._refused(api, names, exc)
        return Outcome(True, f"{name} answered {stream.operation} for {', '.join(names)}")

    def _refused(self, api: str, names: list[str], exc: TapError) -> Outcome:
        family = APIS.get(api, Api(api))
        name, role = family.title, family.role
        if isinstance(exc, AuthError) or (isinstance(exc, APIError) and exc.status == 403):
            needs = f"the {role} role" if role else "the role they need"
            return Outcome(
                False,
                f"{name} refused the token for {', '.join(names)} ({exc}): the app lacks {needs}; "
                "add it to the app (then authorize it again) or deselect these streams",
            )
        return Outcome(False, f"{name} for {', '.join(names)}: {exc}")


def _markets(ids: Sequence[str]) -> str:
    named = []
    for market_id in ids:
        market = marketplaces.BY_ID.get(market_id)
        named.append(f"{market.country} ({market_id})" if market else market_id)
    return ", ".join(named)
