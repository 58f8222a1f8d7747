"""The learner's whole journey in Chromium, at phone and desktop sizes."""
from __future__ import annotations

import datetime as dt
import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader

from nmt_course.config import PROJECT_ROOT
from nmt_course.formatting import ce_hours
from tests.browser.journey import click_through
from tests.helpers import content_of, make_user, pass_quiz_directly, read_directly

COURSE = "nmt-foundations"
CONTENT = {c.slug: c for c in content_of(PROJECT_ROOT / "lessons",
                                         PROJECT_ROOT / "quizzes").courses}[COURSE]
LESSONS = [lesson.slug for lesson in CONTENT.lessons]
PASSWORD = "a long enough password"
FINGERPRINTED = re.compile(r"\.[0-9a-f]{10}\.(css|js|svg)$")


def answer_key(lesson_slug: str, *, wrong: bool = False) -> dict[str, list[str]]:
    """The right answers to a lesson's quiz (or, with `wrong`, a wrong one for each)."""
    lesson = next(lesson for lesson in CONTENT.lessons if lesson.slug == lesson_slug)
    key = {}
    for question in lesson.quiz.questions:
        right = [c.key for c in question.choices if c.correct]
        others = [c.key for c in question.choices if not c.correct]
        key[question.key] = others[:1] if wrong else right
    return key


def answer_quiz(page, answers: dict[str, list[str]]) -> None:
    """Tick the answers with the mouse, as a learner on a laptop or phone would."""
    for question, choices in answers.items():
        for box in page.locator(f'input[name="q-{question}"]').all():
            value = box.get_attribute("value")
            if box.get_attribute("type") == "radio":
                if value in choices:
                    box.check()
            else:
                box.set_checked(value in choices)


def shown_questions(page) -> list[str]:
    """The keys of the questions this attempt shows (drawn from the quiz's bank)."""
    return [fieldset.get_attribute("id").removeprefix("q-")
            for fieldset in page.locator("fieldset.question").all()]


def read_and_pass_on_the_server(server, email: str, lesson_slug: str) -> None:
    """Fast-forward: read a lesson and pass its quiz through the operations (the browser
    already showed how)."""
    read_directly(server.app, email, COURSE, lesson_slug)
    assert pass_quiz_directly(server.app, email, COURSE, lesson_slug,
                              answer_key(lesson_slug)).attempt.passed


def lesson_page_cost(browser, context, url: str) -> tuple[list, int, dict]:
    """Load `url` with an empty cache but the same login; return requests and total bytes."""
    fresh = browser.new_context(storage_state=context.storage_state(),
                                viewport={"width": 1440, "height": 900})
    page = fresh.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    counted = [r for r in finished if r.resource_type != "image" and "favicon" not in r.url]
    total = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]
                for r in counted)
    headers = {r.url: r.response().all_headers() for r in counted}
    fresh.close()
    return counted, total, headers


def test_learner_journey(journey, browser, learner_email, tmp_path):
    page, server = journey.page, journey.server

    journey.goto("/", "catalogue")
    journey.follow(page.get_by_role("link", name=CONTENT.title), "course-visitor")

    page.locator(".course-aside").get_by_role("link", name="Create account").click()
    page.get_by_label("Legal name").fill("Amara Okafor-Lindqvist")
    page.get_by_label("E-mail address").fill(learner_email)
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    journey.follow(page.get_by_role("button", name="Create account"), "register-errors")
    # The error is announced (role=alert, focused) and tied to its field.
    summary = page.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    password = page.get_by_label("Password", exact=True)
    assert password.get_attribute("aria-invalid") == "true"
    described = password.get_attribute("aria-describedby").split()
    assert "Use at least 10 characters." in page.locator(f"#{described[-1]}").inner_text()

    password.fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("Licence number (optional)").fill("MA 60123")
    page.get_by_label("State that issued your licence").select_option("FL")
    page.get_by_role("button", name="Create account").click()
    assert page.url.endswith(f"/courses/{COURSE}")
    journey.check("course-learner")
    progress = page.get_by_role("progressbar", name="Course progress")
    assert progress.get_attribute("value") == "0"

    page.get_by_role("link", name="Start the course").click()
    assert page.url.endswith(f"/lessons/{LESSONS[0]}")
    journey.check("lesson")
    requests, total, headers = lesson_page_cost(browser, page.context, page.url)
    assert len(requests) <= 3, [r.url for r in requests]
    assert total < 150 * 1024, total
    for url, header in headers.items():
        if "/static/" in url:
            assert FINGERPRINTED.search(url), url
            assert "max-age=31536000" in header["cache-control"], (url, header)
            assert "immutable" in header["cache-control"], (url, header)

    page.emulate_media(media="print")
    assert not page.locator(".lesson-actions").is_visible()
    assert page.locator(".prose").is_visible()
    page.emulate_media(media="screen")

    journey.follow(page.get_by_role("button", name="Mark as read and take the quiz"), "quiz")
    answers = answer_key(LESSONS[0])
    first, *rest = shown_questions(page)
    assert len(rest) + 1 == CONTENT.lessons[0].quiz.shown_count
    answer_quiz(page, {k: answers[k] for k in rest})
    journey.follow(page.get_by_role("button", name="Submit answers"), "quiz-errors")
    assert page.locator(".error-summary").get_by_role("link", name=re.compile(
        "Question 1: Choose")).count() == 1

    answer_quiz(page, answer_key(LESSONS[0], wrong=True))
    journey.follow(page.get_by_role("button", name="Submit answers"), "result-fail")
    assert "Not passed yet" in page.inner_text("main")
    assert "Right answer" not in page.inner_text("main")
    assert page.get_by_role("heading", name="What to review").is_visible()

    click_through(page.get_by_role("link", name="Try again"))
    shown = shown_questions(page)
    answer_quiz(page, answer_key(LESSONS[0]))
    journey.follow(page.get_by_role("button", name="Submit answers"), "result-pass")
    assert "Passed" in page.inner_text(".result-banner")
    assert page.locator(".explanation").count() == len(shown)

    for lesson in LESSONS[1:-1]:
        read_and_pass_on_the_server(server, learner_email, lesson)
    journey.goto("/dashboard", "dashboard")
    bar = page.get_by_role("progressbar", name="Progress")
    assert int(bar.get_attribute("value")) == 100 * (len(LESSONS) - 1) // len(LESSONS)

    journey.goto(f"/courses/{COURSE}/lessons/{LESSONS[-1]}", "last-lesson")
    click_through(page.get_by_role("button", name="Mark as read and take the quiz"))
    answer_quiz(page, answer_key(LESSONS[-1]))
    journey.follow(page.get_by_role("button", name="Submit answers"), "result-last")
    assert "Passed" in page.inner_text(".result-banner")

    # Every lesson read and passed: the evaluation is the one step left.
    journey.goto(f"/courses/{COURSE}", "course-evaluation-due")
    journey.follow(page.get_by_role("link", name="Answer the course evaluation"), "evaluation")
    ratings = page.locator("fieldset.question").all()
    assert len(ratings) == len(LESSONS) + 3
    for rating in ratings:
        rating.get_by_label("4", exact=True).check()
    page.get_by_label("Anything else").fill("Clear, practical and well paced.")
    page.get_by_role("button", name="Send the evaluation").click()
    page.wait_for_url(re.compile(r"/certificates/"))
    journey.check("certificate")
    assert "Amara Okafor-Lindqvist" in page.inner_text(".certificate")
    page.emulate_media(media="print")  # printed, only the certificate shows
    journey.check("certificate-print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("link", name="Download PDF").is_visible()
    page.emulate_media(media="screen")
    code = page.locator(".certificate-code code").inner_text()
    pdf = page.request.get(page.url + ".pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert page.get_by_label("Verification link").input_value().endswith(f"/verify/{code}")
    assert "linkedin.com/profile/add?" in page.get_by_role(
        "link", name="Add to LinkedIn").get_attribute("href")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the digital credential (.json)").click()
    credential = tmp_path / download.value.suggested_filename
    download.value.save_as(credential)
    # Checked offline by the command-line verifier, against the issuer's published keys.
    (tmp_path / "did.json").write_bytes(page.request.get("/.well-known/did.json").body())
    checked = server.app.test_cli_runner().invoke(args=[
        "credentials", "verify", str(credential), "--did", str(tmp_path / "did.json")])
    assert checked.exit_code == 0 and "Result: VALID" in checked.output, checked.output

    journey.goto("/dashboard", "dashboard-certified")
    assert page.get_by_role("link", name=re.compile("^View")).count() == 1
    # The transcript: CEs for a renewal period, and its PDF.
    journey.follow(page.get_by_role("link", name="Your CE transcript"), "transcript")
    year = dt.date.today().year
    page.get_by_label("From").fill(f"{year - 1}-01-01")
    page.get_by_label("To").fill(f"{year + 1}-12-31")
    journey.follow(page.get_by_role("button", name="Show the total"), "transcript-period")
    total = f"{ce_hours(CONTENT.ce_hours)} CEs"
    assert total in page.inner_text("#period-total")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the transcript (PDF)").click()
    transcript = tmp_path / download.value.suggested_filename
    download.value.save_as(transcript)
    text = "".join(p.extract_text() for p in PdfReader(transcript).pages)
    assert "Amara Okafor-Lindqvist" in text and total in text and code in text
    journey.goto("/account", "account")
    journey.goto("/no-such-page", "not-found")

    # A licensing board checks the code, with no account.
    stranger = browser.new_context(viewport=page.viewport_size, base_url=server.url)
    board = stranger.new_page()
    journey.use(board)
    journey.goto("/verify", "verify-form")
    board.get_by_label("Certificate code").fill(code.lower().replace("-", " "))
    journey.follow(board.get_by_role("button", name="Verify"), "verified")
    text = board.inner_text("main")
    assert "This certificate is valid." in text and "Amara Okafor-Lindqvist" in text
    assert learner_email not in text and "MA 60123" not in text
    # ...and the credential file the learner sent them.
    journey.goto("/verify", "verify-form")
    board.get_by_role("button", name=re.compile("^Credential file")).set_input_files(credential)
    journey.follow(board.get_by_role("button", name="Check the file"), "credential-verified")
    assert "This credential is valid" in board.inner_text(".result-banner")
    journey.goto("/login", "login")

    # An admin exports the course's roster, then re-issues the certificate with a corrected
    # name; the board sees the correction under the same code.
    admin_email = f"admin-{learner_email}"
    make_user(server.app, admin_email, password=PASSWORD, name="Ada Admin", is_admin=True)
    office = browser.new_context(viewport=page.viewport_size, base_url=server.url)
    admin = office.new_page()
    journey.use(admin)
    admin.goto("/login")
    admin.get_by_label("E-mail address").fill(admin_email)
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.wait_for_url(re.compile(r"/dashboard$"))
    journey.goto("/admin/people", "people")
    journey.follow(admin.get_by_role("link", name="Rosters"), "rosters")
    admin.get_by_label("Course").select_option(COURSE)
    admin.get_by_label("File").select_option("csv")
    with admin.expect_download() as download:
        admin.get_by_role("button", name="Download the roster").click()
    roster = (tmp_path / download.value.suggested_filename)
    download.value.save_as(roster)
    assert "MA 60123,FL,Amara,Okafor-Lindqvist," in roster.read_text("utf-8-sig")
    assert download.value.url.endswith("format=csv")
    xlsx = admin.request.get(download.value.url.replace("format=csv", "format=xlsx"))
    assert xlsx.ok and load_workbook(io.BytesIO(xlsx.body()))["Roster"]["A2"].value == \
        "MA 60123"
    journey.goto(f"/admin/people?q={learner_email}", "people-found")
    admin.get_by_role("link", name="Amara Okafor-Lindqvist").click()
    admin.get_by_text("Re-issue with a corrected name or licence").click()
    admin.get_by_label("Legal name to print").fill("Amara Okafor Lindqvist")
    admin.get_by_label("Why it is re-issued").fill("Hyphen missing from the licence name")
    journey.follow(admin.get_by_role("button", name="Re-issue the certificate"), "reissued")
    assert "re-issued as revision 2" in admin.inner_text("main")
    assert admin.get_by_role("link", name="Revision 1 (PDF)").count() == 1
    office.close()
    journey.use(board)
    journey.goto(f"/verify/{code}", "verified-reissued")
    assert "Amara Okafor Lindqvist" in board.inner_text("main")
    stranger.close()

    journey.finish()


def test_the_quiz_works_by_keyboard_alone(journey, learner_email):
    page, server = journey.page, journey.server
    make_user(server.app, learner_email, password=PASSWORD, name="Kim Lee")
    journey.goto("/login", "login")
    page.get_by_label("E-mail address").fill(learner_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/dashboard$"))
    journey.goto(f"/courses/{COURSE}/lessons/{LESSONS[1]}/quiz", "quiz")

    wanted = {f"q-{key}": set(choices) for key, choices in answer_key(LESSONS[1]).items()}
    done_groups = set()
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement;
            const s = getComputedStyle(e);
            return {tag: e.tagName, type: e.type, name: e.name, value: e.value,
                    text: e.textContent.trim(), outline: s.outlineStyle,
                    width: parseFloat(s.outlineWidth)}; }""")
        if focused["name"] in wanted:
            assert focused["outline"] != "none" and focused["width"] >= 2, focused
        if focused["type"] == "radio" and focused["name"] not in done_groups:
            for _ in range(12):  # arrow keys move through the group
                if page.evaluate("document.activeElement.value") in wanted[focused["name"]]:
                    page.keyboard.press("Space")
                    break
                page.keyboard.press("ArrowDown")
            done_groups.add(focused["name"])
        elif focused["type"] == "checkbox" and focused["value"] in wanted[focused["name"]]:
            page.keyboard.press("Space")
        elif focused["tag"] == "BUTTON" and focused["text"] == "Submit answers":
            assert focused["outline"] != "none", focused
            page.keyboard.press("Enter")
            break
    else:
        raise AssertionError("never reached the submit button")
    page.wait_for_url(re.compile(r"/attempts/1$"))
    journey.check("result-by-keyboard")
    assert "Passed" in page.inner_text(".result-banner")
    journey.finish()


def test_pages_work_without_javascript(browser, live_server, learner_email):
    make_user(live_server.app, learner_email, password=PASSWORD, name="No Script")
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("E-mail address").fill(learner_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard$"))
    page.goto(f"/courses/{COURSE}/lessons/{LESSONS[2]}")
    click_through(page.get_by_role("button", name="Mark as read and take the quiz"))
    answer_quiz(page, answer_key(LESSONS[2]))
    page.get_by_role("button", name="Submit answers").click()
    assert "Passed" in page.inner_text(".result-banner")
    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You are logged out.").wait_for()
    context.close()
