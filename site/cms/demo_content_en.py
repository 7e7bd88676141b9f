"""English demo content: the home, about and legal pages, as translations of the French ones.

Each entry is keyed by the slug of the French page it translates; translations keep that
slug, so one address shows the page in the visitor's language.
"""

from .demo_blocks import cta, h2, rich

DEMO_NOTICE = (
    "Demonstration site: the contact details and registration numbers on this page are fictitious."
)

HOME = {
    "title": "Home",
    "hero_title": "Solidarity lotteries that grow into peer-learning groups",
    "hero_intro": (
        "Associations fund their projects with transparent online lotteries. The winners "
        "join small peer groups to make progress together on social media: a LinkedIn "
        "profile, a Facebook page, a short pitch about themselves."
    ),
    "seo_title": "Assosolos, solidarity lotteries and peer-learning groups",
    "search_description": (
        "Assosolos helps associations run solidarity lotteries whose winners join "
        "peer-learning groups on social media."
    ),
}

HOME_CTA_LABEL = "How it works"


def home_body(*, about_page_id: int) -> list[dict]:
    return [
        h2("How does it work?"),
        rich(
            """
<ol>
<li><b>An association starts its lottery.</b> It describes its prizes in kind, sets the
ticket price and the draw date, and gives the authorisation granted by the town hall.</li>
<li><b>Anyone buys tickets online</b> and gets ticket numbers they can look up at any
time in their account.</li>
<li><b>The draw is public and verifiable.</b> Everything needed to run it again is
published: anyone can check that the result was not arranged.</li>
<li><b>The winners join a peer-learning group</b>: a few people, a facilitator, regular
sessions and a chat room to move forward together.</li>
</ol>
"""
        ),
        cta(
            "You run an association and this model interests you?",
            "Learn more about Assosolos",
            page_id=about_page_id,
        ),
    ]


PAGES = {
    "a-propos": {
        "title": "About",
        "intro": (
            "Assosolos is a non-profit platform: it helps associations fund their work with "
            "solidarity lotteries, and turns the prizes into chances to learn together."
        ),
        "body": [
            h2("Our idea"),
            rich(
                """
<p>Many associations already hold raffles to fund their projects. We wanted to give them a
simple, honest tool to do it online, and to add a prize that really makes a difference: a
seat in a peer-learning group.</p>
<p>These groups bring a few people together – job seekers, freelancers, volunteers – with a
facilitator, to work on their presence on social media: a LinkedIn profile, a short
pitch, an association's page.</p>
"""
            ),
            h2("Draws anyone can verify"),
            rich(
                """
<p>Before sales open, the platform publishes a fingerprint of a secret used for the draw.
When sales close, the list of sold tickets is frozen. At the draw, the secret is revealed
and mixed with a public source of randomness: anyone can redo the computation and find the
same winners. Nobody, not even us, can choose the result.</p>
"""
            ),
            h2("Within the law"),
            rich(
                """
<p>The lotteries on Assosolos are association lotteries under article L322-3 of the French
internal security code: prizes in kind, a non-profit purpose and the prior authorisation of
the mayor of the town where the association is registered. Every lottery shows the
reference of its authorisation.</p>
"""
            ),
            h2("Who we are"),
            rich(
                """
<p>Assosolos is run by a non-profit association of volunteers from employment support,
freelancer coaching and web development. A question, an idea, would you like to lead a
group? Write to us at <a href="mailto:contact@assosolos.fr">contact@assosolos.fr</a>.</p>
"""
            ),
        ],
    },
    "mentions-legales": {
        "title": "Legal notice",
        "intro": DEMO_NOTICE,
        "body": [
            h2("Publisher"),
            rich(
                """
<p>The Assosolos site is published by the Assosolos association, governed by the French
law of 1 July 1901, registered with the Rhône prefecture under RNA number W691000000.</p>
<p>Registered office: 12 rue de la Solidarité, 69007 Lyon.<br>
Email: <a href="mailto:contact@assosolos.fr">contact@assosolos.fr</a></p>
<p>Director of publication: the association's president.</p>
"""
            ),
            h2("Hosting"),
            rich(
                """
<p>The site is hosted in France by a professional hosting provider whose details are
available on request at the address above, as required by article 6 of French law
no. 2004-575 of 21 June 2004.</p>
"""
            ),
            h2("Lotteries"),
            rich(
                """
<p>The lotteries shown on the site are run by the associations themselves, under their own
responsibility, within article L322-3 of the French internal security code and the
authorisation granted by the mayor of their town. Assosolos provides the technical tool for
selling tickets and drawing the winners.</p>
"""
            ),
            h2("Reporting content"),
            rich(
                """
<p>To report unlawful content or content against the terms of use, write to
<a href="mailto:moderation@assosolos.fr">moderation@assosolos.fr</a> with the address of
the page.</p>
"""
            ),
        ],
    },
    "confidentialite": {
        "title": "Privacy",
        "intro": (
            "How the Assosolos association processes your personal data and how to exercise "
            "your rights. " + DEMO_NOTICE
        ),
        "body": [
            h2("Data controller"),
            rich(
                """
<p>The Assosolos association, 12 rue de la Solidarité, 69007 Lyon, is the controller of the
processing described below. Any question: <a
href="mailto:donnees@assosolos.fr">donnees@assosolos.fr</a>.</p>
"""
            ),
            h2("The data we process"),
            rich(
                """
<p>Your account (email address, display name, password stored as a hash), your tickets
and orders (number of tickets, amount, date; card payments are handled by our payment
provider and we never see your card number), and what you write in the groups you join.</p>
"""
            ),
            h2("Your rights"),
            rich(
                """
<p>You may access, correct or erase your data, object to its processing or ask for a copy,
by writing to <a href="mailto:donnees@assosolos.fr">donnees@assosolos.fr</a>. You may also
complain to the CNIL, the French data protection authority.</p>
"""
            ),
        ],
    },
    "conditions-utilisation": {
        "title": "Terms of use",
        "intro": "The rules for using Assosolos. " + DEMO_NOTICE,
        "body": [
            h2("What Assosolos does"),
            rich(
                """
<p>Assosolos lets verified associations sell tickets for their lotteries, draw the winners
in a verifiable way and run peer-learning groups. Each association is responsible for its
lottery, its prizes and its authorisation.</p>
"""
            ),
            h2("Buying tickets"),
            rich(
                """
<p>A ticket is final once paid, unless the lottery is cancelled, in which case every ticket
bought online is refunded. Tickets are held for a few minutes while you pay; unpaid ones
go back on sale.</p>
"""
            ),
            h2("Groups and rooms"),
            rich(
                """
<p>Be respectful: facilitators and moderators may hide a message or mute a member who
breaks these rules.</p>
"""
            ),
        ],
    },
}
