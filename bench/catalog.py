"""What the benchmark's organizations buy and browse.

Pure and deterministic: the seeder and the load plan build the same contracts,
device tokens and visited hosts from the same seed, so a reused benchmark
database needs no side file to be driven again.
"""

import hashlib
import random
from dataclasses import dataclass

# Real products with the host shapes that matter to matching: several
# contracts on one registrable domain (amazon.com, google.com, microsoft.com,
# atlassian.com), bare domains that cover every subdomain (slack.com), a
# product on a subdomain only (aws.amazon.com), and extra hosts (force.com).
KNOWN_PRODUCTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Slack", "https://slack.com", ("slack-edge.com",)),
    ("Zoom", "https://zoom.us", ()),
    ("Salesforce", "https://salesforce.com", ("force.com", "lightning.force.com")),
    ("AWS", "https://aws.amazon.com", ("amazonaws.com",)),
    ("Amazon Business", "https://amazon.com", ()),
    ("Amazon Seller Central", "https://sellercentral.amazon.com", ()),
    ("Google Workspace", "https://workspace.google.com", ("mail.google.com",)),
    ("Google Docs", "https://docs.google.com", ("drive.google.com",)),
    ("Google Cloud", "https://cloud.google.com", ("console.cloud.google.com",)),
    ("Google Ads", "https://ads.google.com", ()),
    ("Microsoft 365", "https://office.com", ("outlook.office.com",)),
    ("Azure", "https://portal.azure.com", ()),
    ("Teams", "https://teams.microsoft.com", ()),
    ("Jira", "https://jira.atlassian.com", ("atlassian.net",)),
    ("Confluence", "https://confluence.atlassian.com", ()),
    ("Bitbucket", "https://bitbucket.org", ()),
    ("GitHub", "https://github.com", ("githubusercontent.com",)),
    ("GitLab", "https://gitlab.com", ()),
    ("Notion", "https://notion.so", ("notion.site",)),
    ("Figma", "https://figma.com", ()),
    ("Miro", "https://miro.com", ()),
    ("Asana", "https://app.asana.com", ()),
    ("Trello", "https://trello.com", ()),
    ("Monday", "https://monday.com", ()),
    ("HubSpot", "https://app.hubspot.com", ("hubspot.com",)),
    ("Zendesk", "https://zendesk.com", ()),
    ("Intercom", "https://app.intercom.com", ()),
    ("Datadog", "https://app.datadoghq.com", ()),
    ("Sentry", "https://sentry.io", ()),
    ("PagerDuty", "https://pagerduty.com", ()),
    ("Dropbox", "https://dropbox.com", ()),
    ("Box", "https://app.box.com", ()),
    ("DocuSign", "https://docusign.com", ("docusign.net",)),
    ("Workday", "https://workday.com", ("myworkday.com",)),
    ("BambooHR", "https://bamboohr.com", ()),
    ("Gusto", "https://app.gusto.com", ()),
    ("Expensify", "https://expensify.com", ()),
    ("QuickBooks", "https://quickbooks.intuit.com", ()),
    ("Xero", "https://xero.com", ()),
    ("Canva", "https://canva.com", ()),
    ("Adobe Creative Cloud", "https://creativecloud.adobe.com", ()),
    ("Adobe Acrobat", "https://acrobat.adobe.com", ()),
    ("Loom", "https://loom.com", ()),
    ("Calendly", "https://calendly.com", ()),
    ("1Password", "https://1password.com", ()),
    ("Okta", "https://okta.com", ("oktapreview.com",)),
    ("Snowflake", "https://app.snowflake.com", ("snowflakecomputing.com",)),
    ("Tableau", "https://online.tableau.com", ()),
    ("Linear", "https://linear.app", ()),
    ("Airtable", "https://airtable.com", ()),
    ("ServiceNow", "https://service-now.com", ()),
    ("Mailchimp", "https://mailchimp.com", ()),
    ("Twilio", "https://console.twilio.com", ()),
    ("Stripe", "https://dashboard.stripe.com", ()),
    ("Vercel", "https://vercel.com", ()),
    ("Heroku", "https://dashboard.heroku.com", ()),
    ("LinkedIn Sales Navigator", "https://linkedin.com", ()),
    ("Grammarly", "https://app.grammarly.com", ()),
    ("Smartsheet", "https://app.smartsheet.com", ()),
    ("ClickUp", "https://app.clickup.com", ()),
)

_SUFFIXES = ("com", "io", "app", "co", "net", "co.uk", "de", "ai")
_SYLLABLES = (
    "ka", "lo", "mi", "ra", "ve", "zu", "to", "ni", "pe", "sa",
    "qu", "do", "fi", "ge", "hu", "ja", "xe", "yo", "bri", "ston",
)  # fmt: skip


@dataclass(frozen=True)
class ContractSpec:
    vendor_name: str
    product_url: str
    extra_hosts: tuple[str, ...]
    num_seats: int
    annual_spend: int
    # Share of the organization's users who use the product at all.
    popularity: float
    # Days after today (negative: already expired) on which the contract ends.
    expires_in_days: int


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(syllables))


def contract_specs(*, count: int, users: int, seed: int = 7) -> list[ContractSpec]:
    """`count` contracts: the known products first, then invented vendors.

    Popularity falls off like a long tail (a few products everyone uses, many
    that a team or two does); seats are bought with some slack over the
    users, so that utilization and waste vary.
    """
    rng = random.Random(seed)
    specs: list[ContractSpec] = []
    taken = {url for _, url, _ in KNOWN_PRODUCTS}
    for index in range(count):
        if index < len(KNOWN_PRODUCTS):
            name, url, extra = KNOWN_PRODUCTS[index]
        else:
            while True:
                base = f"{_word(rng, 3)}.{rng.choice(_SUFFIXES)}"
                shape = rng.random()
                # Half the invented products live on a subdomain of their
                # vendor's domain, some vendors sell two products.
                host = base if shape < 0.5 else f"{rng.choice(('app', 'my'))}.{base}"
                url = f"https://{host}"
                if url not in taken:
                    break
            taken.add(url)
            name = base.split(".")[0].capitalize()
            extra = (
                (f"{_word(rng, 2)}cdn.{rng.choice(_SUFFIXES)}",) if shape > 0.85 else ()
            )
        popularity = min(0.9, 0.9 / (1 + index) ** 0.6 + rng.uniform(0.0, 0.02))
        seats = max(1, round(users * popularity * rng.uniform(0.8, 1.6)))
        monthly_price = rng.choice((12, 15, 20, 30, 45, 60, 99, 150))
        specs.append(
            ContractSpec(
                vendor_name=name,
                product_url=url,
                extra_hosts=extra,
                num_seats=seats,
                annual_spend=monthly_price * 12 * seats,
                popularity=popularity,
                expires_in_days=rng.randint(-30, 400),
            )
        )
    return specs


def visited_hosts_for(spec: ContractSpec, rng: random.Random, count: int) -> list[str]:
    """Hosts a browser shows when someone uses the product: its own host,
    subdomains of it, and its extra hosts."""
    host = spec.product_url.removeprefix("https://")
    candidates = [host, f"www.{host}", *spec.extra_hosts]
    hosts = list(candidates)
    while len(hosts) < count:
        base = rng.choice(candidates)
        hosts.append(f"{_word(rng, 2)}.{base}")
    return hosts[:count]


def unmatched_hosts(*, count: int, seed: int = 11) -> list[str]:
    """Hosts that match no contract: news, search, shops, blogs."""
    rng = random.Random(seed)
    hosts = set()
    while len(hosts) < count:
        prefix = rng.choice(("www.", "", "blog.", "m.", "news."))
        # "zz" never occurs in the contracts' invented names, so these
        # hosts cannot fall under a contract's domain by accident.
        hosts.add(f"{prefix}zz{_word(rng, 3)}.{rng.choice(_SUFFIXES)}")
    return sorted(hosts)


def device_token(*, database: str, domain: str, index: int) -> str:
    """The raw device token of a seeded user: 256 bits, derived from the
    benchmark database, the organization and the user's index, so that the
    load generator knows it without reading anything back."""
    material = f"procure-bench:{database}:{domain}:{index}".encode()
    return hashlib.sha256(material).hexdigest()
