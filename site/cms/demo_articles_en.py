"""English demo articles: the index page and the articles translated so far.

The other French articles are listed in the English index too, marked as French
(`cms.selectors.article_list_for_index`).
"""

from .demo_blocks import h2, rich

ARTICLES_INDEX = {
    "title": "Articles",
    "intro": (
        "Practical advice on social media for job seekers, freelancers and the associations "
        "that support them."
    ),
}

# By the French article's slug: the English version's fields.
ARTICLES = {
    "reussir-son-profil-linkedin": {
        "title": "A LinkedIn profile that works when you are looking for a job",
        "intro": (
            "A recruiter spends a few seconds on a profile before deciding whether to read "
            "it. Photo, headline, summary, experience: how to make each part useful without "
            "overdoing it."
        ),
        "body": [
            rich(
                """
<p>LinkedIn is often the first place where a recruiter, a former colleague or a future
client looks up your name. An incomplete profile does not rule you out, but a clear one
wins you chances you never see go by: a message from a headhunter, a recommendation, an
invitation to an event.</p>
"""
            ),
            h2("Photo and headline: what people see first"),
            rich(
                """
<p>Choose a recent photo, facing the camera, on a plain background, where your face is
easy to see. No need for a photographer: a phone, a window for the light and a friend are
enough.</p>
<p>The headline is the line shown under your name everywhere on the network. By default it
is your last job title; replace it with what you are looking for and what you bring. For
example: <i>"Accountant for associations – payroll, year-end, grants – available in
Lyon"</i> rather than <i>"Actively looking"</i>, which says nothing about you.</p>
"""
            ),
            h2("The summary: write for people, not for robots"),
            rich(
                """
<p>The "About" section reads like a short letter. In three or four paragraphs: what you
can do, with two or three concrete results; the kind of job or assignment you are looking
for, and where; what drives you, in a sentence or two; how to reach you.</p>
<p>Use the words recruiters type into the search (job titles, software, certifications)
naturally, but avoid lists of keywords: they show, and look like padding.</p>
"""
            ),
        ],
    },
}
