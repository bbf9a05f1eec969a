"""The class poll in Chromium: a teacher on a desktop, a student on a phone (320 and 390 px),
axe-core on both sides before and after the reveal, and no horizontal scroll on the phone."""

from __future__ import annotations

import re

from e2e_helpers import save_screenshot, wait_for_app_idle
from playwright.sync_api import Browser, Page, expect
from test_accessibility import STREAMLIT_EXCLUSIONS, axe_violations
from test_phone_layouts import LAYOUT_PROBLEMS_JS, SLACK_PX

DESKTOP = {"width": 1280, "height": 900}
PHONES = ({"width": 320, "height": 700}, {"width": 390, "height": 844})

#: Whether any scrolling box of the page (the document, Streamlit's main block) is wider than
#: the screen.
OVERFLOWS_JS = """() => [document.scrollingElement,
    ...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')]
  .filter(Boolean).some(e => e.scrollWidth > e.clientWidth + 1)"""


def read_qr(page: Page, src: str) -> str:
    """What a QR code shown at `src` says, read by OpenCV's detector (not by what drew it)."""
    import cv2
    import numpy as np

    body = page.request.get(src if src.startswith("http") else page.url.split("/class_poll")[0]
                            + src).body()
    picture = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_GRAYSCALE)
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(picture)
    return text


def assert_accessible(page: Page, where: str) -> None:
    left = [f"{where}: {rule} {selector}: {summary}"
            for rule, selector, summary in axe_violations(page)
            if (rule, selector) not in STREAMLIT_EXCLUSIONS]
    assert not left, "\n".join(left)


def test_teacher_and_phone_student_accessible_and_fitting(browser: Browser,
                                                          app_server: str) -> None:
    desk = browser.new_context(viewport=DESKTOP)
    phone = browser.new_context(viewport=PHONES[0], is_mobile=True, has_touch=True)
    try:
        teacher = desk.new_page()
        teacher.goto(f"{app_server}/class_poll?image=camera&res=256&kernel=sobel_x")
        wait_for_app_idle(teacher)
        teacher.get_by_role("button", name="Open a room (teacher)").click()
        heading = teacher.get_by_role("heading", name=re.compile(r"^Room \w{4}-\w{4}$"))
        expect(heading).to_be_visible()
        code = heading.inner_text().removeprefix("Room ").strip()
        link = f"{app_server}/class_poll?room={code}"
        qr = teacher.get_by_alt_text(f"QR code: a phone's camera opens the join link, {link}",
                                     exact=True)
        expect(qr).to_be_visible()
        assert read_qr(teacher, qr.get_attribute("src")) == link
        teacher.get_by_role("button", name="Pose the question").click()
        expect(teacher.get_by_text("Question 1: Which output byte")).to_be_visible()
        wait_for_app_idle(teacher)
        assert_accessible(teacher, "teacher, posed")

        student = phone.new_page()
        # Everything the server sends the student's page, to check the page's data, not only
        # its screen: the class's table (class "ck-poll") must not be in it before the reveal.
        frames: list[bytes] = []
        student.on("websocket", lambda ws: ws.on(
            "framereceived", lambda frame: frames.append(
                frame if isinstance(frame, bytes) else frame.encode())))
        student.goto(link)
        wait_for_app_idle(student)
        expect(student.get_by_text("Question 1: Which output byte")).to_be_visible()
        for size in PHONES:
            student.set_viewport_size(size)
            assert not student.evaluate(OVERFLOWS_JS), f"scrolls sideways at {size['width']} px"
        assert_accessible(student, "student, question")
        field = student.get_by_label("Your answer: the output byte (0 to 255)")
        field.fill("12")
        field.press("Enter")
        student.get_by_role("button", name="Send my answer").click()
        expect(student.get_by_text("Answer received: 12.")).to_be_visible()
        # Another student answers; the first one's page hears nothing of it.
        other = phone.new_page()
        other.goto(link)
        wait_for_app_idle(other)
        other_field = other.get_by_label("Your answer: the output byte (0 to 255)")
        other_field.fill("13")
        other_field.press("Enter")
        other.get_by_role("button", name="Send my answer").click()
        expect(other.get_by_text("Answer received: 13.")).to_be_visible()
        expect(teacher.get_by_text("Answers to question 1: 2 answers")).to_be_visible(
            timeout=15_000)
        wait_for_app_idle(student)
        assert frames and not [f for f in frames if b"ck-poll" in f]
        assert student.locator("table.ck-poll").count() == 0

        teacher.get_by_role("button", name="Reveal the answer").click()
        expect(teacher.get_by_text(re.compile(r"^Revealed: the right answer is \d+"))) \
            .to_be_visible()
        # The student's page follows by itself (it looks every 5 s).
        expect(student.get_by_text(re.compile(r"^The right answer: \d+\."))).to_be_visible(
            timeout=15_000)
        wait_for_app_idle(student)
        assert [f for f in frames if b"ck-poll" in f]  # the table, now that it is revealed
        for size in PHONES:
            student.set_viewport_size(size)
            assert not student.evaluate(OVERFLOWS_JS), f"scrolls sideways at {size['width']} px"
            assert not student.evaluate(LAYOUT_PROBLEMS_JS, SLACK_PX), size
        assert_accessible(student, "student, revealed")
        wait_for_app_idle(teacher)
        assert_accessible(teacher, "teacher, revealed")
        save_screenshot(teacher, "class-poll-teacher-revealed")
        save_screenshot(student, "class-poll-student-revealed")
    finally:
        desk.close()
        phone.close()
