"""ISO 4217 currencies, and amounts in several of them.

A contract's amounts are in its own currency; an organization reports in
one currency and keeps the rates to it (ExchangeRate, set by staff or its
admins, each from a date; proCure never fetches rates). A total is only ever
a sum of amounts converted with a stated rate: amounts in a currency
without a rate are left out of it and named.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# The active ISO 4217 codes (list one, 2024), funds and metals aside.
ISO_4217 = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND
    BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF
    DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD
    HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
    KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR
    MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
    PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN
    SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES
    VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    """.split()  # noqa: SIM905 (a list that reads as the standard does)
)
DEFAULT_CURRENCY = "USD"
CENT = Decimal("0.01")


def currency_refusal(code: str) -> str | None:
    """Why `code` is not a currency proCure takes, or None."""
    if code in ISO_4217:
        return None
    return (
        f'"{code}" is not an ISO 4217 currency code. Send three capital letters '
        "such as USD, EUR or GBP."
    )


@dataclass(frozen=True)
class Rate:
    currency: str
    rate: Decimal  # units of the reporting currency for one unit of `currency`
    valid_from: dt.date


def converted(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)
