"""Fixed copy for public pages: the five missions of the WMCA Digital Roadmap 2021–26."""

MISSIONS = [
    {
        "code": "M1",
        "slug": "economy",
        "name": "Economy",
        "summary": "Realise the full economic potential of digital: more investment into the region's "
        "tech firms, more start-ups surviving and scaling up.",
    },
    {
        "code": "M2",
        "slug": "inclusion",
        "name": "Inclusion",
        "summary": "Secure access for everyone to digital opportunities, particularly those in poverty.",
    },
    {"code": "M3", "slug": "data", "name": "Data", "summary": "Share and use data to improve people's lives."},
    {"code": "M4", "slug": "connectivity", "name": "Connectivity", "summary": "Become the UK's best-connected region."},
    {
        "code": "M5",
        "slug": "public-services",
        "name": "Public services",
        "summary": "Use digital public services to build a fairer, greener, healthier region.",
    },
]
