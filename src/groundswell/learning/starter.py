"""The starter content that ships with Groundswell, for an admin to install and adapt: two tracks of
two-minute lessons ("Getting started", "Telling our stories") and a queue of tips of the week.

The tone is encouraging, not restrictive: each lesson says what to do (and why it works) before what to avoid,
and every quiz explanation starts from what the member got right."""

from __future__ import annotations

from dataclasses import dataclass

from groundswell.learning.drafts import LessonDraft, QuestionDraft, TipDraft

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
        questions=(
            QuestionDraft(
                text="Twenty colleagues want to share the same launch. What helps the post most?",
                choices=(
                    "Everyone posts the suggested caption word for word, so the message is consistent",
                    "Everyone changes at least the first line to say why it matters to them",
                    "Everyone adds as many hashtags as possible",
                ),
                correct_choice=1,
                explanation="Identical posts look like a campaign and reach fewer people. Your own first line "
                "— why it matters to you — is what makes people stop and read.",
            ),
        ),
    ),
    LessonDraft(
        title="Share with confidence: what not to share",
        body_markdown="""\
Sharing is voluntary and should feel safe. Almost everything you are proud of at work is fine to share: what
you learned, a launch that is already public, a team you enjoy working with. A short list of things is never
yours to post, however exciting they are — knowing it is what lets you share everything else without worry.

**Confidential information.** Unreleased products, numbers that are not public, customer names we have not
announced, anything marked internal. If it is not on our website or in the Groundswell content hub, assume it is
not public yet.

**Other people's details.** Photos of colleagues or customers need their OK. Screenshots can leak names, email
addresses or dashboards in the background — crop or skip.

**Speaking for the company.** You can share your view, but do not make promises, quote prices or comment on
legal matters, incidents or rumours. Send journalists and complaints to the team named in our social media policy.

**Heated topics in the company's name.** Your private opinions are yours. When you post about work, keep politics
and fights out of it.

Not sure? Ask your program admin first — nobody was ever in trouble for asking, and most answers are "yes, go
ahead".
""",
        questions=(
            QuestionDraft(
                text="A customer sent you a lovely thank-you email. Can you post a screenshot of it?",
                choices=(
                    "Yes, it is good news",
                    "Only after asking the customer and hiding any personal details",
                    "Yes, if you blur the logo",
                ),
                correct_choice=1,
                explanation="The email is the customer's words and may show their name and address. Ask them first, "
                "and remove personal details — or simply describe the praise in your own words.",
            ),
        ),
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
        questions=(
            QuestionDraft(
                text="Which of these does Groundswell learn when someone clicks your short link?",
                choices=(
                    "The visitor's name and profile",
                    "That a (human) click happened on your share",
                    "Everything else the visitor looks at afterwards",
                ),
                correct_choice=1,
                explanation="We only count the click (and whether it looks human). We never learn who the visitor "
                "is or what they do afterwards.",
            ),
        ),
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
        questions=(
            QuestionDraft(
                text="A customer replies to your post with an angry complaint about a late delivery. What do you do?",
                choices=(
                    "Explain in the thread why the delay was not our fault",
                    "Ignore it: it is not your department",
                    "Acknowledge it kindly, point them to support, and let support know",
                ),
                correct_choice=2,
                explanation="Arguing in public makes it worse and ignoring it looks careless. A kind acknowledgement "
                "plus a hand-over to support solves it and shows the customer we listen.",
            ),
        ),
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
        questions=(
            QuestionDraft(
                text="What does LinkedIn show before a reader taps “see more”?",
                choices=("The link preview only", "The first two or three lines of your text", "Your hashtags"),
                correct_choice=1,
                explanation="Only the first lines are visible at first, so put your own, most interesting sentence "
                "there — not the link or the hashtags.",
            ),
        ),
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
        questions=(
            QuestionDraft(
                text="Why write hashtags in CamelCase (#OpenSource rather than #opensource)?",
                choices=(
                    "Screen readers can read the words separately",
                    "The networks rank CamelCase higher",
                    "It is required on Mastodon",
                ),
                correct_choice=0,
                explanation="CamelCase lets screen readers (and everyone else) see where words start. It does not "
                "change ranking, and it is not required — just kind.",
            ),
        ),
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
        questions=(
            QuestionDraft(
                text="Which is the best alt text for a photo of your team receiving an award?",
                choices=(
                    "IMG_2041.jpg",
                    "Photo",
                    "Our six-person support team holding the Customer Care Award on stage",
                ),
                correct_choice=2,
                explanation="Alt text should say what the picture shows and why it matters. A file name or the word "
                "“photo” tells a screen-reader user nothing.",
            ),
        ),
    ),
]


STORY_LESSONS: list[LessonDraft] = [
    LessonDraft(
        title="Write a story about your work",
        body_markdown="""\
The best stories about a company are small and true: a customer you helped, a problem you solved, a colleague
who made your week. You already have several — you just have not written them down yet.

**Start with a moment.** "On Tuesday a customer called because her delivery was stuck at the border…" pulls the
reader in. "Our logistics team is committed to excellence" does not.

**Say what you did, and what you learned.** Three parts are enough: the situation, what happened, why it
mattered (to the customer, to you, to the team).

**Name people only with their OK.** Customers and colleagues like being thanked, but ask before you use a name
or a photo. "A customer in Lyon" works just as well.

**Short is fine.** 100 to 200 words read in under a minute. A photo or a 30-second video makes it twice as
likely that colleagues read to the end.

**Post it inside first.** Write it under *Stories*: your colleagues react and comment, and if it is a good fit
for the outside world, the program team may ask you whether it can become a post to share — only with your
consent, and with your name on it.

Not sure where to start? Finish this sentence: "Last month I was proud when…".
""",
        questions=(
            QuestionDraft(
                text="Which opening makes a reader want to keep going?",
                choices=(
                    "Our team is committed to excellence in everything we do.",
                    "On Tuesday a customer called because her delivery was stuck at the border.",
                    "This is a story about our values.",
                ),
                correct_choice=1,
                explanation="A concrete moment — a day, a person, a problem — makes people curious. Slogans "
                "sound like every other company; your moment is yours alone.",
            ),
            QuestionDraft(
                text="You want to thank a customer by name in your story. What do you do first?",
                choices=(
                    "Ask the customer whether they are happy to be named",
                    "Post it: thanking someone is always fine",
                    "Add their photo from their website so people recognise them",
                ),
                correct_choice=0,
                explanation="Most people love being thanked, and asking takes one message. Without their OK, "
                "“a customer in Lyon” tells the story just as well.",
            ),
            QuestionDraft(
                text="How long should a story be?",
                choices=(
                    "At least 1,000 words, to look serious",
                    "100 to 200 words is plenty",
                    "One word and a hashtag",
                ),
                correct_choice=1,
                explanation="A minute of reading is enough for a good story. A photo or a short video helps more "
                "than extra paragraphs.",
            ),
        ),
    ),
    LessonDraft(
        title="Record a 30-second video with your phone",
        body_markdown="""\
You do not need a studio. A phone, a window and thirty seconds are enough for a video colleagues will watch.

**Light from the front.** Face a window; never stand with the window behind you, or you become a silhouette.

**Hold the phone still, at eye level.** Lean it on a stack of books or ask a colleague. Vertical is fine for
stories; horizontal suits longer explanations.

**Sound beats picture.** Find a quiet corner, stay close to the phone (an arm's length), and turn off the fan.
People forgive a slightly blurry picture; they stop watching when they cannot hear you.

**One message, three beats.** Who you are (five seconds), the one thing you want to say (twenty seconds), and
what the viewer can do or take away (five seconds). Write it down as three bullet points, not a script.

**Two takes are normal.** Record, watch it once, record again. The second take is almost always the one.

**Captions.** Many people watch without sound. Groundswell lets you add or edit captions after the upload.

Then upload it with your story: Groundswell prepares a version that plays everywhere.
""",
        questions=(
            QuestionDraft(
                text="Where should the window be when you record yourself?",
                choices=("Behind you", "In front of you", "It does not matter"),
                correct_choice=1,
                explanation="Light on your face makes you easy to see. With the window behind you, the camera "
                "turns you into a dark outline.",
            ),
            QuestionDraft(
                text="Your picture is a bit soft but the sound is clear. Should you re-record?",
                choices=(
                    "Yes: only a perfect picture is good enough",
                    "No: clear sound matters more than a sharp picture",
                ),
                correct_choice=1,
                explanation="Viewers forgive a soft picture but leave when they cannot hear you. You did the "
                "important part right.",
            ),
            QuestionDraft(
                text="What helps people who watch without sound?",
                choices=("Captions", "A louder voice", "Background music"),
                correct_choice=0,
                explanation="Captions carry your words when the sound is off — on a train, in an open office, or "
                "for colleagues who are deaf or hard of hearing.",
            ),
        ),
    ),
    LessonDraft(
        title="From a story inside to a post outside",
        body_markdown="""\
Some stories are too good to keep inside. When the program team asks whether your story can become a post to
share outside, here is what happens and what you can expect.

**It is your choice.** Nothing leaves the company without your consent. You can say no, or "yes, but without
the customer's name".

**You are credited.** The shared post names you as the author, and you earn story points once.

**Colleagues share it with their own words.** Each person who shares it gets a tracked link; the report counts
clicks, never who clicked.

**Check it one last time.** Before you agree, reread your story as a stranger would: is anything confidential
(prices, unreleased plans, a customer who did not agree to be named)? If in doubt, ask the program team —
they will gladly adjust it with you.

**Share it yourself first.** Add one sentence of your own about why it mattered to you: it is the most
convincing post of the lot.
""",
        questions=(
            QuestionDraft(
                text="The program team would like to share your story outside. Who decides?",
                choices=("You do", "Your manager does", "The program team decides alone"),
                correct_choice=0,
                explanation="Your story leaves the company only with your consent — and you can ask for changes "
                "before you agree.",
            ),
            QuestionDraft(
                text="What do you check before agreeing?",
                choices=(
                    "That nothing confidential is in it, and that people named agreed",
                    "That it has at least ten hashtags",
                ),
                correct_choice=0,
                explanation="A last read as a stranger catches confidential details and names. Hashtags can wait "
                "— two are plenty.",
            ),
        ),
    ),
]


@dataclass(frozen=True)
class StarterTrack:
    key: str
    title: str
    description: str
    lessons: list[LessonDraft]


STARTER_TRACKS: dict[str, StarterTrack] = {
    "getting-started": StarterTrack(
        "getting-started",
        "Getting started",
        "Seven two-minute lessons on sharing in your own voice, safely and kindly.",
        STARTER_LESSONS,
    ),
    "stories": StarterTrack(
        "stories",
        "Telling our stories",
        "Write a story about your work, record a short video with your phone, and take a story outside.",
        STORY_LESSONS,
    ),
}

#: Starter lessons renamed since they first shipped: new title → old title (installed copies keep the old one).
RENAMED: dict[str, str] = {"Share with confidence: what not to share": "What not to share"}

STARTER_TIPS: list[TipDraft] = [
    TipDraft(
        "Add one sentence of your own",
        "Before you share, add one line on why it matters to you. It is the "
        "line people read first, and the reason they stop scrolling.",
    ),
    TipDraft(
        "Reply to comments within a day",
        "A quick reply turns a post into a conversation, and the networks "
        "show conversations to more people. A thank-you counts.",
    ),
    TipDraft(
        "Two hashtags are plenty",
        "Pick one or two that people really follow, in CamelCase (#OpenSource), at the end of the post.",
    ),
    TipDraft(
        "Describe your images",
        "Add alt text when you attach a picture: one sentence on what it shows and why "
        "it matters. It takes ten seconds.",
    ),
    TipDraft(
        "Ask a question at the end",
        "\u201cHow does your team handle this?\u201d invites replies from people you would never have reached.",
    ),
    TipDraft(
        "Share what you learned, not only what we launched",
        "A short note on something you figured out this week is often more interesting than an announcement.",
    ),
    TipDraft(
        "Thank a colleague in public",
        "Name a colleague (with their OK) who helped you this month. Generous posts are the ones people remember.",
    ),
    TipDraft(
        "Weekday mornings work well",
        "Your audience reads on weekday mornings in their time zone. You can schedule a share for then.",
    ),
    TipDraft(
        "Quality over quantity",
        "One thoughtful post a week beats five rushed ones. Skip a week whenever you like: there is no streak to keep.",
    ),
    TipDraft(
        "When in doubt, ask",
        "Not sure whether something is public yet? Ask the program team first. Nobody was ever in trouble for asking.",
    ),
]
