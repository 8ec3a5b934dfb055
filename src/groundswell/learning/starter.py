"""The starter track that ships with Groundswell: seven two-minute lessons an admin can install and adapt."""

from __future__ import annotations

from groundswell.learning.drafts import LessonDraft

STARTER_LESSONS: list[LessonDraft] = [
    LessonDraft(
        title="Write a post in your own voice",
        body_markdown="""\
People follow people, not press releases. A post works when it sounds like you talking to a colleague.

**Start with why it matters to you.** "I spent three months on this feature and I'm proud of one detail…"
beats "We are excited to announce…". One sentence of your own is worth more than a perfect paragraph.

**Keep one idea per post.** Say what it is, why you care, and (optionally) who it helps. Then stop.

**Edit the suggested caption.** The captions in Groundswell are a starting point, not a script. Change the first
line at least — if twenty colleagues post the same words, the networks show it to fewer people, and readers notice.

**Ask, don't shout.** A question at the end ("How does your team handle this?") invites replies. Skip the
exclamation marks and the hashtag wall: two relevant hashtags are plenty.

**Read it out loud.** If you would not say it over coffee, rewrite it.

A quick recipe:

1. One line on what happened.
2. One line on what you did or learned.
3. One line on why a reader might care.
""",
        question="Twenty colleagues want to share the same launch. What helps the post most?",
        choices=(
            "Everyone posts the suggested caption word for word, so the message is consistent",
            "Everyone changes at least the first line to say why it matters to them",
            "Everyone adds as many hashtags as possible",
        ),
        correct_choice=1,
        explanation="Identical posts look like a campaign and reach fewer people. Your own first line "
        "— why it matters to you — is what makes people stop and read.",
    ),
    LessonDraft(
        title="What not to share",
        body_markdown="""\
Sharing is voluntary and should feel safe. A few things are never yours to post, however exciting they are.

**Confidential information.** Unreleased products, numbers that are not public, customer names we have not
announced, anything marked internal. If it is not on our website or in the Groundswell content hub, assume it is
not public yet.

**Other people's details.** Photos of colleagues or customers need their OK. Screenshots can leak names, email
addresses or dashboards in the background — crop or skip.

**Speaking for the company.** You can share your view, but do not make promises, quote prices or comment on
legal matters, incidents or rumours. Send journalists and complaints to the team named in our social media policy.

**Heated topics in the company's name.** Your private opinions are yours. When you post about work, keep politics
and fights out of it.

When in doubt, leave it out — or ask your program admin first. Nobody was ever in trouble for asking.
""",
        question="A customer sent you a lovely thank-you email. Can you post a screenshot of it?",
        choices=(
            "Yes, it is good news",
            "Only after asking the customer and hiding any personal details",
            "Yes, if you blur the logo",
        ),
        correct_choice=1,
        explanation="The email is the customer's words and may show their name and address. Ask them first, "
        "and remove personal details — or simply describe the praise in your own words.",
    ),
    LessonDraft(
        title="How links are tracked — and what we never see",
        body_markdown="""\
When you share through Groundswell, your post gets a short link. Here is exactly what it does.

**What we count.** Someone clicks the link; we count one click for your share and send them straight on to the
page. We tell apart humans from obvious bots, and count a visitor once per link, so refreshing the page does not
inflate anything.

**What we never see.** Who the visitor is. We do not set cookies on them, do not store their IP address (only a
one-way code that cannot be turned back into it), and never see your private messages, your feed, your followers
or anything you post without Groundswell.

**What your employer sees.** Your shares and the clicks on them, and your points. Managers see totals for groups
large enough that nobody can be singled out. Your privacy page lists everything we keep about you, and lets you
download or erase it.

**Connected accounts.** If you connect a network to post directly, we only read the numbers (likes, reposts) of
posts that Groundswell made for you.

Tracking is there to show what works, not to watch people.
""",
        question="Which of these does Groundswell learn when someone clicks your short link?",
        choices=(
            "The visitor's name and profile",
            "That a (human) click happened on your share",
            "Everything else the visitor looks at afterwards",
        ),
        correct_choice=1,
        explanation="We only count the click (and whether it looks human). We never learn who the visitor "
        "is or what they do afterwards.",
    ),
    LessonDraft(
        title="How to answer a customer",
        body_markdown="""\
Sharing work posts means customers sometimes reply to *you*. That is a good sign — here is how to handle it.

**Thank them, quickly.** A short, friendly reply within a day beats a perfect one next week.

**Praise:** say thanks and pass it on to the team. "Thank you — I'll tell the team, they'll be delighted."

**A question you can answer from public information:** answer it and link to the page.

**A problem or complaint:** do not argue and do not try to fix it in public. Acknowledge it and move it to the
right place: "Sorry to hear that. Our support team can sort this out — could you write to them at …?" Then tell
the support team so nobody waits twice.

**Anything about money, contracts, security incidents or legal matters:** do not comment. Point to the official
channel in our social media policy.

**Never share personal or account details in public**, and never ask the customer for them in a public reply.

Be human, be brief, and hand over when it is not yours to solve.
""",
        question="A customer replies to your post with an angry complaint about a late delivery. What do you do?",
        choices=(
            "Explain in the thread why the delay was not our fault",
            "Ignore it: it is not your department",
            "Acknowledge it kindly, point them to support, and let support know",
        ),
        correct_choice=2,
        explanation="Arguing in public makes it worse and ignoring it looks careless. A kind acknowledgement "
        "plus a hand-over to support solves it and shows the customer we listen.",
    ),
    LessonDraft(
        title="LinkedIn basics",
        body_markdown="""\
LinkedIn is where most work posts get seen. A few habits make a big difference.

**Your profile first.** A clear photo, a headline that says what you do (not just your title), and the company
listed as your current position. People check who is posting before they click.

**Write text, then add the link.** LinkedIn shows the first two or three lines before "…see more". Put your own
sentence there. The link preview appears underneath.

**Timing.** Weekday mornings in your audience's time zone work best. You can schedule a post in Groundswell.

**Reply to comments.** The first hour matters: replying to comments tells LinkedIn the post is a conversation and
it shows it to more people.

**Reshare vs. post.** A plain reshare of the company post reaches few people. Writing your own post with the link
(which is what Groundswell does) reaches many more.

**Tag sparingly.** Tag a colleague or partner only when they are really part of the story — and ideally ask first.
""",
        question="What does LinkedIn show before a reader taps “see more”?",
        choices=("The link preview only", "The first two or three lines of your text", "Your hashtags"),
        correct_choice=1,
        explanation="Only the first lines are visible at first, so put your own, most interesting sentence "
        "there — not the link or the hashtags.",
    ),
    LessonDraft(
        title="Bluesky and Mastodon basics",
        body_markdown="""\
Bluesky and Mastodon are growing fast with developers, scientists and journalists. They work a little differently.

**Short and real.** Posts are short (300 characters on Bluesky, usually 500 on Mastodon). One thought, one link.
Marketing-speak stands out even more here — write like a person.

**No algorithm to game.** Mastodon shows posts in order; Bluesky users pick their feeds. What spreads is what
people choose to repost, so usefulness beats polish.

**Mastodon has servers.** Your account lives on a server ("instance") such as mastodon.social. Groundswell asks
for yours once, so share links open on the right server.

**Content warnings and hashtags.** On Mastodon, hashtags are how people find posts (there is no full-text search on
many servers) — use one or two in CamelCase, like #OpenSource. Content warnings are used for sensitive topics,
not for work news.

**Alt text is expected.** Both communities care a lot about image descriptions — see the next lesson.

**Be a good neighbour.** Reply, boost others' posts, and do not post the same link many times a day.
""",
        question="Why write hashtags in CamelCase (#OpenSource rather than #opensource)?",
        choices=(
            "Screen readers can read the words separately",
            "The networks rank CamelCase higher",
            "It is required on Mastodon",
        ),
        correct_choice=0,
        explanation="CamelCase lets screen readers (and everyone else) see where words start. It does not "
        "change ranking, and it is not required — just kind.",
    ),
    LessonDraft(
        title="Accessibility: alt text and readable posts",
        body_markdown="""\
Many people read with a screen reader, a magnifier or in a noisy train without sound. Small habits include them.

**Describe every image (alt text).** Say what matters in the picture, in one or two sentences: "Our team of six
holding the award on stage." Not "image" and not the file name. If the image contains text (a chart, a quote),
write that text out.

**Charts:** give the point, not every number. "Support replies got twice as fast since January."

**Videos:** use captions. Most people watch without sound anyway.

**Emoji with care.** Screen readers read every emoji out loud ("rocket, rocket, rocket"). One is fine; a row is
tiring. Never use emoji instead of words.

**Hashtags in CamelCase** (#EmployeeAdvocacy) and at the end, not in the middle of a sentence.

**Links:** say where they go ("our hiring page") rather than "click here".

Writing alt text takes ten seconds and makes your post work for everyone. Every network has a field for it
("Add alt text" or "Description") when you attach an image.
""",
        question="Which is the best alt text for a photo of your team receiving an award?",
        choices=(
            "IMG_2041.jpg",
            "Photo",
            "Our six-person support team holding the Customer Care Award on stage",
        ),
        correct_choice=2,
        explanation="Alt text should say what the picture shows and why it matters. A file name or the word "
        "“photo” tells a screen-reader user nothing.",
    ),
]
