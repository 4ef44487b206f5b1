//! The words generated accounts are made of: names, places, browsers, pages, lines of chat.

pub(super) const DEPARTMENTS: &[&str] = &[
    "Billing Department",
    "Sales",
    "Technical Support",
    "Returns",
    "Partnerships",
    "VIP",
];
pub(super) const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "Claude",
    "Katherine",
    "John",
    "Sophie",
    "Leslie",
    "Mary",
    "Niklaus",
    "Yukihiro",
    "Guido",
    "Joan",
    "Donald",
];
pub(super) const LAST_NAMES: &[&str] = &[
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Shannon",
    "Johnson",
    "McCarthy",
    "Wilson",
    "Lamport",
    "Keller",
    "Wirth",
];
pub(super) const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Orlando", "Florida", "US", "United States"),
    ("Sydney", "New South Wales", "AU", "Australia"),
    ("Berlin", "Berlin", "DE", "Germany"),
    ("Lyon", "Auvergne-Rhone-Alpes", "FR", "France"),
    ("Osaka", "Osaka", "JP", "Japan"),
    ("Toronto", "Ontario", "CA", "Canada"),
    ("Sao Paulo", "Sao Paulo", "BR", "Brazil"),
    ("Nairobi", "Nairobi", "KE", "Kenya"),
];
pub(super) const BROWSERS: &[(&str, &str, &str)] = &[
    (
        "Chrome",
        "Mac OS",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    ),
    (
        "Safari",
        "iOS",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    ),
    (
        "Firefox",
        "Windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    ),
    (
        "Edge",
        "Windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
    ),
    (
        "Chrome",
        "Android",
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    ),
];
pub(super) const PAGES: &[(&str, &str)] = &[
    ("/", "Shop - Home"),
    ("/products/chocolate-bar", "Dark chocolate bar - Shop"),
    ("/cart", "Your cart - Shop"),
    ("/checkout", "Checkout - Shop"),
    ("/help/returns", "Returns and refunds - Help"),
    ("/account/orders", "Your orders - Shop"),
];
pub(super) const VISITOR_LINES: &[&str] = &[
    "hello",
    "Hi, is anyone there?",
    "My order hasn't arrived yet",
    "Can I change my delivery address?",
    "The chat window is open by default for the customers. Can we have it minimized?",
    "Do you ship to Canada?",
    "I was charged twice for the same order",
    "Is the dark chocolate bar gluten free?",
    "thanks!",
    "How do I return an item?",
    "The discount code doesn't work",
    "Can you send me an invoice?",
    "ok great",
    "That fixed it, thank you",
];
pub(super) const AGENT_LINES: &[&str] = &[
    "Hi! How can I help you today?",
    "Let me check that for you.",
    "Could you give me your order number?",
    "I've refunded the duplicate charge; it will show in 3-5 business days.",
    "Yes, we ship to Canada.",
    "I've updated your address.",
    "You're welcome! Anything else I can help with?",
    "Thanks for waiting.",
    "I'll send the invoice to your email now.",
    "The code expired yesterday, but I've applied the discount manually.",
];
pub(super) const OFFLINE_MESSAGES: &[&str] = &[
    "Hi there!",
    "Please call me back about my order.",
    "Your site is down?",
    "I'd like a refund for order 4471.",
    "Do you have gift cards?",
    "Where is my parcel? It's been two weeks.",
];
pub(super) const TAGS: &[&str] = &[
    "refund",
    "shipping",
    "vip",
    "bug",
    "invoice",
    "goodbye_survey",
    "one",
    "returns",
];
pub(super) const GOALS: &[(i64, &str)] = &[
    (1863, "add to cart"),
    (1865, "place order"),
    (1870, "newsletter signup"),
];
pub(super) const COMMENTS: &[&str] = &[
    "Great customer experience!",
    "Quick and helpful",
    "Took too long",
    "Very friendly agent",
    "Problem not solved",
];
pub(super) const SEARCHES: &[&str] = &[
    "dark chocolate",
    "chocolate gift box",
    "refund policy",
    "shop support",
];
